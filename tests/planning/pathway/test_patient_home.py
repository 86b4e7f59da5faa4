"""The patient's side (issue 13): their page says where things stand and what comes next, lists
every sealed record of theirs to view and download (audited), and "Download all my records"
gives one archive of their own PDFs (which verify) with a summary; rate-limited and audited.
One patient never reaches another's records, page or archive (matrix, written by hand)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentSignature
from consent.services import consent_pdf_ensure
from core.models import AuditEntry, ClinicSettings
from core.roles import Role
from planning.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from planning.pathway.states import CaseState
from planning.treatment.pdf import plan_pdf_ensure
from records.keys import trust_root_pem
from records.models import RecordKind, SealedRecord
from records.selectors import record_content
from records.validation import verify_pdf
from tests.conftest import make_user
from tests.factories import CaseFactory
from tests.planning.treatment.helpers import active_case
from tests.support.records import stored_record

pytestmark = pytest.mark.django_db


def _patient_with_records(physician, *, seal: bool):  # type: ignore[no-untyped-def]
    """A patient login with an active case and its consent and plan records: really sealed
    (`seal`), or stored stand-ins where only who-sees-what matters. (user, case, records)"""
    user = make_user(Role.PATIENT)
    case = active_case(physician, user=user)
    signature = ConsentSignature.objects.get(case_id=case.pk)
    plan = case.plans.get()
    if seal:
        records = [consent_pdf_ensure(signature_id=signature.pk), plan_pdf_ensure(plan_id=plan.pk)]
    else:
        ids = {"case_id": case.pk, "patient_id": case.patient_id}
        records = [
            stored_record(
                RecordKind.CONSENT, signature.pk, data=b"%PDF c" + str(case.pk).encode(), **ids
            ),
            stored_record(RecordKind.PLAN, plan.pk, data=b"%PDF p" + str(case.pk).encode(), **ids),
        ]
    return user, case, records


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_patients(physician):  # type: ignore[no-untyped-def]
    return tuple(_patient_with_records(physician, seal=False) for _ in range(2))


def test_archive_holds_exactly_their_own_pdfs_which_verify(sealing, physician) -> None:
    me, case, mine = _patient_with_records(physician, seal=True)
    _, _, theirs = _patient_with_records(physician, seal=True)
    response = _client(me).post(reverse("pathway:own_archive"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    pdfs = {name: archive.read(name) for name in archive.namelist() if name.endswith(".pdf")}
    assert len(pdfs) == len(mine) == 2
    for data in pdfs.values():  # each PDF exactly as sealed: the seal verifies
        assert verify_pdf(data, trust_root_pem=trust_root_pem()).ok
    digests = {hashlib.sha256(data).hexdigest() for data in pdfs.values()}
    assert digests == {r.sha256 for r in mine}
    assert not digests & {r.sha256 for r in theirs}
    summary = archive.read("summary.html").decode()
    assert all(r.sha256 in summary for r in mine)
    assert not any(r.sha256 in summary for r in theirs)
    entry = AuditEntry.objects.get(action="record.archive")
    assert entry.actor == me and entry.patient_id == case.patient_id
    assert sorted(entry.data["sha256"]) == sorted(r.sha256 for r in mine)


def test_archive_is_rate_limited_per_patient(two_patients, settings) -> None:
    settings.PATHWAY_ARCHIVE_PER_HOUR = 2
    (me, _, _), (other, _, _) = two_patients
    client = _client(me)
    url = reverse("pathway:own_archive")
    assert [client.post(url).status_code for _ in range(2)] == [200, 200]
    refused = client.post(url)
    assert refused.status_code == 429
    assert "2 times in the last hour" in refused.content.decode()
    assert AuditEntry.objects.filter(action="record.archive", actor=me).count() == 2
    assert _client(other).post(url).status_code == 200  # another patient's limit is their own
    later = timezone.now() + timedelta(hours=1, minutes=1)
    with time_machine.travel(later):  # (a new sign-in: the idle timeout ended the old one)
        assert _client(me).post(url).status_code == 200


def test_archive_over_the_size_bound_is_refused_clearly(two_patients, settings) -> None:
    settings.PATHWAY_ARCHIVE_MAX_BYTES = 10  # the two stand-in PDFs together are 16 bytes
    (me, _, _), _ = two_patients
    response = _client(me).post(reverse("pathway:own_archive"))
    assert response.status_code == 413
    assert "too large to download at once" in response.content.decode()
    assert not AuditEntry.objects.filter(action="record.archive").exists()


def test_home_lists_own_records_and_each_download_is_audited_once(two_patients) -> None:
    (me, case, mine), (_, _, theirs) = two_patients
    client = _client(me)
    page = client.get(reverse("pathway:patient_home")).content.decode()
    assert page.count('data-testid="my-record"') == 2
    assert all(r.sha256 in page for r in mine) and not any(r.sha256 in page for r in theirs)
    assert "You are in treatment." in page and "What happens next" in page
    for record in mine:
        url = reverse("pathway:own_record", args=[record.pk])
        before = AuditEntry.objects.filter(action="record.download").count()
        viewed = client.get(url)
        assert viewed.status_code == 200 and viewed["Content-Disposition"].startswith("inline")
        downloaded = client.get(url + "?download=1")
        assert downloaded["Content-Disposition"].startswith("attachment")
        assert downloaded.content == record_content(record)
        entries = AuditEntry.objects.filter(action="record.download").order_by("seq")
        assert entries.count() == before + 2
        assert entries.last().target == record.audit_target
        assert entries.last().actor == me and entries.last().case_id == case.pk


def test_one_patient_never_reaches_anothers_records(two_patients) -> None:
    """The explicit matrix: every own-records URL with another patient's ids is a 404 (audited)
    and hands out no bytes; the archive never holds theirs (above)."""
    (me, _, mine), (other, other_case, theirs) = two_patients
    client = _client(me)
    before = AuditEntry.objects.filter(action="access.denied", actor=me).count()
    for record in theirs:
        for suffix in ("", "?download=1"):
            response = client.get(reverse("pathway:own_record", args=[record.pk]) + suffix)
            assert response.status_code == 404 and b"%PDF" not in response.content
    followup = FollowUp.objects.create(
        case=other_case,
        kind=FollowUpKind.PHQ9,
        key=f"t-{other_case.pk}",
        due_at=timezone.now() - timedelta(hours=1),
        window_ends_at=timezone.now() + timedelta(days=1),
        status=FollowUpStatus.REMINDED,
    )
    answer = reverse("followups:answer", args=[other_case.pk, followup.pk])
    assert client.get(answer).status_code == 404
    assert client.post(answer, {"phq9_1": 3}).status_code == 404
    signature = ConsentSignature.objects.get(case_id=other_case.pk)
    assert client.get(reverse("consent_signature_pdf", args=[signature.pk])).status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied", actor=me).count()
    assert denied - before == 2 * len(theirs) + 3
    assert not AuditEntry.objects.filter(action="record.download", actor=me).exists()
    # no record of theirs is named on my page, and mine still open for me
    page = client.get(reverse("pathway:patient_home")).content.decode()
    assert not any(r.sha256 in page for r in theirs)
    assert client.get(reverse("pathway:own_record", args=[mine[0].pk])).status_code == 200
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.REMINDED and followup.response_id is None
    assert other is not me


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, None])
def test_staff_and_anonymous_do_not_use_the_patients_record_routes(role, two_patients) -> None:
    (_, _, mine), _ = two_patients
    client = Client()
    if role is not None:
        client.force_login(make_user(role))
    record = client.get(reverse("pathway:own_record", args=[mine[0].pk]))
    archive = client.post(reverse("pathway:own_archive"))
    if role is None:
        assert record.status_code == archive.status_code == 302
    else:
        assert record.status_code == archive.status_code == 403
    assert not AuditEntry.objects.filter(action__in=["record.download", "record.archive"]).exists()


def test_home_shows_the_next_session_with_rules_and_the_clinic_contact(physician) -> None:
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(
        contact_phone="+1 555 0100",
        contact_email="care@clinic.example",
        contact_hours="Mon-Fri 8-18",
        crisis_line="call 988 at any hour",
        session_place="12 Quay Street, Suite B",
    )
    user = make_user(Role.PATIENT)
    case = active_case(physician, user=user)
    session = case.sessions.order_by("scheduled_for").first()
    page = _client(user).get(reverse("pathway:patient_home")).content.decode()
    assert 'data-testid="next-session"' in page
    assert session.scheduled_for.strftime("%-d %B %Y") in page
    assert "12 Quay Street, Suite B" in page
    assert "cannot go home alone" in page and "Do not drive" in page
    assert 'data-testid="clinic-contact"' in page
    assert "+1 555 0100" in page and "care@clinic.example" in page and "call 988" in page


def test_the_clinic_contact_is_on_link_pages_but_not_on_staff_pages(physician) -> None:
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(
        contact_phone="+1 555 0100"
    )
    link_page = Client().get("/f/" + "x" * 30 + "/").content.decode()
    assert "+1 555 0100" in link_page
    staff = _client(physician).get(reverse("pathway:case_board")).content.decode()
    assert 'data-testid="clinic-contact"' not in staff


def test_signed_in_patient_answers_an_open_questionnaire_from_home(physician) -> None:
    user = make_user(Role.PATIENT)
    case = CaseFactory(state=CaseState.ACTIVE, patient__user=user)
    followup = FollowUp.objects.create(
        case=case,
        kind=FollowUpKind.PHQ9,
        key=f"t-{case.pk}",
        due_at=timezone.now() - timedelta(hours=1),
        window_ends_at=timezone.now() + timedelta(days=1),
        status=FollowUpStatus.REMINDED,
    )
    client = _client(user)
    url = reverse("followups:answer", args=[case.pk, followup.pk])
    assert url in client.get(reverse("pathway:patient_home")).content.decode()
    answers = {f"phq9_{i}": 1 for i in range(1, 9)} | {"phq9_9": 0}
    response = client.post(url, answers)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.COMPLETED and followup.response.total == 8
    page = client.get(reverse("pathway:patient_home")).content.decode()
    assert 'data-testid="questionnaire-history"' in page and url not in page
    again = client.get(url).content.decode()
    assert "received on" in again


def test_no_record_yet_says_so(physician) -> None:
    user = make_user(Role.PATIENT)
    CaseFactory(state=CaseState.CONSULTATION, patient__user=user)
    page = _client(user).get(reverse("pathway:patient_home")).content.decode()
    assert "You have no sealed record yet" in page
    assert "first consultation" in page
    assert not SealedRecord.objects.exists()


def test_home_shows_the_patients_own_score_chart_with_its_words(physician, clinician) -> None:
    """The chart staff see on the case page, on the patient's page (baseline and response)."""
    from planning.intake import scoring
    from planning.intake.models import QuestionnaireDefinition
    from planning.intake.services import questionnaire_response_store

    user = make_user(Role.PATIENT)
    case = active_case(physician, user=user)
    definition = QuestionnaireDefinition.objects.get(code="phq9", version=1)
    answers = {f"phq9_{i}": 1 for i in range(1, 9)} | {"phq9_9": 0}  # 8, half the baseline
    questionnaire_response_store(
        case, clinician, None, definition, scoring.score(definition.parsed(), answers)
    )
    page = _client(user).get(reverse("pathway:patient_home")).content.decode()
    assert 'data-testid="patient-progress-phq9"' in page
    assert 'data-testid="chart-me-phq9"' in page and "<polyline" in page
    assert "(PHQ-9 8, 50 % below baseline 16)" in page
