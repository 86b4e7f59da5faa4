"""The printable case summary: sealed on demand, one version per state of the case, with the
charts and words inside; sealing and the download go through the access table and the audit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from planning.followups.summary import case_summary_html, case_summary_seal
from records.models import RecordKind, RecordOrigin, SealedRecord
from records.render import pdf_text
from records.selectors import record_content
from records.validation import verify_pdf
from tests.records.conftest import signed_off_esketamine_session

pytestmark = pytest.mark.django_db


def _record_phq9(case, clinician, total: int):  # type: ignore[no-untyped-def]
    from planning.intake import scoring
    from planning.intake.models import QuestionnaireDefinition
    from planning.intake.services import questionnaire_response_store

    definition = QuestionnaireDefinition.objects.get(code="phq9", version=1)
    answers = {f"phq9_{i}": 0 for i in range(1, 10)}
    for i in range(1, total + 1):  # totals up to 8 only: item 9 stays 0
        answers[f"phq9_{i}"] = 1
    questionnaire_response_store(
        case, clinician, None, definition, scoring.score(definition.parsed(), answers)
    )


def test_the_summary_holds_the_case_the_scores_in_words_and_the_charts(
    sealing, physician, clinician, test_pki
) -> None:
    case, session = signed_off_esketamine_session(physician, clinician)
    _record_phq9(case, clinician, 8)
    html = case_summary_html(case)
    assert html.count("<svg") >= 2 and 'data-series="phq9"' in html
    assert 'data-series="systolic"' in html
    record = case_summary_seal(case_id=case.pk, actor=physician).record
    data = record_content(record)
    check = verify_pdf(data, trust_root_pem=test_pki.root.read_bytes())
    assert check.ok and check.level == "B-LTA", check.problems
    text = " ".join(pdf_text(data).split())
    assert case.patient.full_name in text and "Case summary" in text
    assert "Response reached on" in text and "50 % below baseline 16" in text
    assert "Not yet in remission" in text
    assert "PHQ-9 over time: the values" in text  # the data table under the chart
    assert f"Session {session.number}" in text and "Audit summary" in text
    assert "case.transition" in text
    assert record.file_name == f"case-summary-{case.pk}-v1.pdf"


def test_one_version_per_state_of_the_case(sealing, physician, clinician) -> None:
    case, _ = signed_off_esketamine_session(physician, clinician)
    first = case_summary_seal(case_id=case.pk, actor=physician)
    again = case_summary_seal(case_id=case.pk, actor=clinician)
    assert first.created and not again.created and again.record.pk == first.record.pk
    client = Client()
    client.force_login(physician)
    assert client.get(reverse("followups:case_summary_pdf", args=[case.pk])).status_code == 200
    assert not case_summary_seal(case_id=case.pk, actor=physician).created  # a read: no change

    _record_phq9(case, clinician, 6)
    newer = case_summary_seal(case_id=case.pk, actor=physician)
    assert newer.created and newer.record.version == 2
    assert newer.record.supersedes_id == first.record.pk
    assert newer.record.origin == RecordOrigin.REGENERATED
    assert SealedRecord.objects.filter(kind=RecordKind.CASE_SUMMARY).count() == 2
    sealed = AuditEntry.objects.filter(action="case_summary.sealed", case_id=case.pk)
    assert list(sealed.values_list("actor", "data__version")) == [
        (physician.pk, 1),
        (physician.pk, 2),
    ]


def test_staff_seal_from_the_case_page_and_download_the_latest(
    sealing, physician, clinician
) -> None:
    case, _ = signed_off_esketamine_session(physician, clinician)
    client = Client()
    client.force_login(clinician)
    url = reverse("followups:case_summary_seal", args=[case.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "Sealed version 1 of the case summary." in response.content.decode()
    response = client.post(url, follow=True)
    assert "Nothing changed since version 1" in response.content.decode()
    assert 'data-testid="case-summary-download"' in response.content.decode()

    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    download = client.get(reverse("followups:case_summary_pdf", args=[case.pk]))
    record = SealedRecord.objects.get(kind=RecordKind.CASE_SUMMARY, owner_id=case.pk)
    assert b"".join(download) == record_content(record)
    assert download["Content-Disposition"] == (
        f'attachment; filename="case-summary-{case.pk}-v1.pdf"'
    )
    assert list(
        AuditEntry.objects.filter(seq__gt=last).values_list("action", "actor", "target")
    ) == [("record.view", clinician.pk, record.audit_target)]


def test_no_summary_yet_is_a_404_and_a_seal_that_cannot_be_made_says_why(
    physician, clinician, settings, tmp_path
) -> None:
    from tests.planning.treatment.helpers import active_case

    case = active_case(physician)
    client = Client()
    client.force_login(physician)
    assert client.get(reverse("followups:case_summary_pdf", args=[case.pk])).status_code == 404
    settings.SEAL_KEY_PATH = str(tmp_path / "missing-key.pem")
    response = client.post(reverse("followups:case_summary_seal", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert "The case summary was not sealed" in response.content.decode()
    assert not SealedRecord.objects.filter(kind=RecordKind.CASE_SUMMARY).exists()


def test_an_unreachable_time_stamping_service_is_a_message_not_a_500(
    physician, sealing, monkeypatch
) -> None:
    """The seal is asked for on demand: when the TSA is down, say so and keep nothing."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    from records import sealing as sealing_module
    from records.pipeline import SealServiceUnavailable
    from tests.planning.treatment.helpers import active_case

    def down(*args: object, **kwargs: object) -> bytes:
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except OSError as exc:  # as pyHanko's aiohttp client wraps it
            raise TimestampRequestError("Error while contacting timestamp service") from exc

    monkeypatch.setattr(sealing_module, "seal_pdf", down)
    assert issubclass(SealServiceUnavailable, OSError)  # the tasks that retry on OSError still do
    case = active_case(physician)
    client = Client()
    client.force_login(physician)
    response = client.post(reverse("followups:case_summary_seal", args=[case.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The case summary was not sealed" in page
    assert "time-stamping service could not be reached" in page
    assert not SealedRecord.objects.filter(kind=RecordKind.CASE_SUMMARY).exists()


def test_a_time_stamping_service_that_refuses_is_a_setting_to_fix(sealing, monkeypatch) -> None:
    """A 4xx or a refusal is not an outage: no 'try again', and no retry (not an OSError)."""
    import aiohttp
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    from records import pipeline
    from records.pipeline import SealServiceRefused, SealServiceUnavailable

    def refused(*args: object, **kwargs: object) -> bytes:
        try:
            raise aiohttp.ClientResponseError(None, (), status=403)  # type: ignore[arg-type]
        except aiohttp.ClientError as exc:
            raise TimestampRequestError("Error while contacting timestamp service") from exc

    from records import sealing as sealing_module

    monkeypatch.setattr(sealing_module, "seal_pdf", refused)
    with pytest.raises(SealServiceRefused) as caught:
        pipeline.render_seal_verify(
            pipeline.RenderRequest(html="<p>x</p>", title="t", subject="s", reason="r")
        )
    assert not isinstance(caught.value, OSError | SealServiceUnavailable)
    assert "PATHWAY_TSA_URL" in caught.value.message


def test_roles_without_clinical_access_can_neither_seal_nor_download(
    admin_staff, patient_user, physician
) -> None:
    from tests.planning.treatment.helpers import active_case

    case = active_case(physician)
    for user in (admin_staff, patient_user):
        client = Client()
        client.force_login(user)
        assert (
            client.post(reverse("followups:case_summary_seal", args=[case.pk])).status_code == 403
        )
        assert client.get(reverse("followups:case_summary_pdf", args=[case.pk])).status_code == 403


def test_the_audit_summary_is_in_plain_words_and_future_sessions_claim_nothing(
    physician, clinician
) -> None:
    """Each kind of event reads as on the case page's timeline (the code stays beside it), and
    a session that has not happened says nothing about adverse events."""
    import re

    from tests.planning.treatment.helpers import active_case

    case = active_case(physician, sessions=2, frequency="weekly")
    html = case_summary_html(case)
    audit = html.split("Audit summary", 1)[1]
    assert re.search(r"Case: [^<]* moved the case from [^<]+ to Active treatment", audit)
    assert "case.transition" in audit
    sessions = html.split("<h2>Sessions</h2>", 1)[1].split("</table>", 1)[0]
    assert "none recorded" not in sessions
    born = re.search(r'running-patient-dob">Born ([^<]+)<', html)
    assert born and not re.match(r"\d{4}-", born.group(1)), "one date format in the PDF"
