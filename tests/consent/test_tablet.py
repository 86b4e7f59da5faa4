"""In-clinic signing on a clinic tablet, over HTTP: a staff member turns their signed-in browser
into a signing tablet for one case; the patient confirms their date of birth (the link's rule
and lockout), reads, answers and signs with the phone's pages; the tablet asks to be handed back;
the staff member leaves tablet mode with their password. Meanwhile nothing else answers."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import ConsentRequest, ConsentSignature, TabletSession
from core.models import AuditEntry, ClinicSettings, OutboundMessage
from core.roles import Role
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.render import pdf_text
from tests.conftest import make_user
from tests.consent.flow import Patient
from tests.factories import PASSWORD, CaseFactory
from tests.support.records import pdf_of

pytestmark = pytest.mark.django_db(transaction=False)

BORN = "1985-05-20"


class Tablet(Patient):
    """The staff member's own browser, handed to the patient in tablet mode."""

    def __init__(self, client: Client, base: str) -> None:
        self.client = client
        self.link = base

    def dob(self, value: str) -> Any:
        return self.post("start/", {"date_of_birth": value})


def _answers(document: Any) -> dict[int, int]:
    return {q.pk: q.correct_choice for q in document.questions.all()}


def _start(staff: Any, case: Any) -> tuple[Client, Any]:
    client = Client()
    client.force_login(staff)
    response = client.post(reverse("consent_tablet_start", args=[case.pk]))
    assert response.status_code == 302, response.content[:800]
    tablet = TabletSession.objects.get(case_id=case.pk, ended_at__isnull=True)
    assert response["Location"] == f"/consent/tablet/{tablet.pk}/"
    return client, tablet


def _base(tablet: TabletSession) -> str:
    return f"/consent/tablet/{tablet.pk}/"


def _actions(req: ConsentRequest) -> list[str]:
    return list(
        AuditEntry.objects.filter(target=req.audit_target)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_staff_start_tablet_mode_and_the_patient_signs_on_it(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    messages_before = OutboundMessage.objects.count()
    client, tablet = _start(desk, consent_case)

    # Nothing leaves the clinic: no message, no e-mail, no token anywhere.
    assert OutboundMessage.objects.count() == messages_before
    assert mail.outbox == []
    req = tablet.request
    assert req.channel == "tablet" and req.sent_to == ""
    assert req.expires_at <= timezone.now() + timedelta(minutes=31)

    # The hand-over screen, with no trace of the staff member's signed-in pages.
    handover = client.get(_base(tablet))
    assert handover.status_code == 200
    dob_page = client.get(_base(tablet) + "start/").content.decode()
    assert "please confirm your date of birth" in dob_page and "this link" not in dob_page
    text = handover.content.decode()
    assert "Please hand the tablet to Zoë" in text
    assert "Case board" not in text and "Sign out" not in text and "Sol Rivera" not in text

    patient = Tablet(client, _base(tablet))
    review = patient.through_review(BORN, _answers(document))
    assert review.status_code == 200, review.content[:2000]
    assert b"/consent/tablet/" in review.content and b"/consent/s/" not in review.content
    with django_capture_on_commit_callbacks(execute=True):
        signed = patient.sign(review, name="Zoë O'Hara-Lindqvist")
    assert signed.status_code == 302 and signed["Location"] == _base(tablet) + "done/"

    back = client.get(signed["Location"])
    assert back.status_code == 200
    assert "Please hand the tablet back to Sol." in back.content.decode()

    # The record names the channel and the staff member who started it.
    signature = ConsentSignature.objects.get(case_id=consent_case.pk)
    assert signature.channel == "tablet"
    assert signature.channel_started_by == desk
    assert signature.channel_started_by_name == "Sol Rivera"
    assert Case.objects.get(pk=consent_case.pk).state == CaseState.PLAN_PENDING
    trail = _actions(req)
    assert trail[0] == "consent.tablet.start"
    assert "consent.tablet.signed" in trail and "consent.signed" in trail
    start = AuditEntry.objects.get(target=req.audit_target, action="consent.tablet.start")
    assert start.actor == desk
    signed_entry = AuditEntry.objects.get(target=req.audit_target, action="consent.signed")
    assert signed_entry.actor_label == "patient on a clinic tablet (Zoë O'Hara-Lindqvist)"

    # The sealed PDF says so on the signature block and on its audit page.
    text = " ".join(pdf_text(pdf_of(RecordKind.CONSENT, signature.pk)).split())
    assert "Signed through in the clinic, on a clinic tablet, started by Sol Rivera" in text
    assert "Sol Rivera started signing in the clinic on a clinic tablet" in text
    assert "Signed in the clinic on a clinic tablet, started by Sol Rivera" in text

    # Used once: the signing pages now lead to the hand-back; nothing signs twice.
    again = client.get(_base(tablet) + "review/")
    assert again.status_code == 302 and again["Location"].endswith("/done/")
    assert patient.sign(review, name="Zoë O'Hara-Lindqvist")["Location"].endswith("/done/")
    assert ConsentSignature.objects.count() == 1

    # The staff member takes the tablet back with their password.
    out = client.post(_base(tablet) + "exit/", {"password": PASSWORD})
    assert out.status_code == 302
    assert out["Location"] == reverse("pathway:case_detail", args=[consent_case.pk])
    page = client.get(out["Location"])
    assert page.status_code == 200 and b"Tablet mode ended" in page.content
    tablet.refresh_from_db()
    assert tablet.ended_by == desk and tablet.end_reason == "signed"
    assert client.get(_base(tablet)).status_code == 404  # no tablet mode any more


def test_wrong_date_of_birth_is_refused_and_locks_like_the_link(
    consent_case, desk, document
) -> None:
    limit = ClinicSettings.current().link_max_dob_attempts
    client, tablet = _start(desk, consent_case)
    patient = Tablet(client, _base(tablet))
    for _ in range(limit - 1):
        wrong = patient.dob("1990-01-01")
        assert wrong.status_code == 400
        assert b"does not match our records" in wrong.content
    assert client.get(_base(tablet) + "read/")["Location"] == _base(tablet) + "start/"
    locked = patient.dob("1990-01-01")
    assert locked.status_code == 403
    assert b"locked" in locked.content
    assert b"Please hand the tablet back to the clinic staff" in locked.content
    assert b"replying to the e-mail" not in locked.content
    req = ConsentRequest.objects.select_related("link").get(pk=tablet.request_id)
    assert req.link.locked_at is not None and req.link.dob_failures == limit
    assert "consent.link.locked" in AuditEntry.objects.values_list("action", flat=True)
    # The right date no longer opens anything: the tablet asks to be handed back.
    after = patient.dob(BORN)
    assert after.status_code == 302 and after["Location"].endswith("/done/")
    assert b"This signing session has ended" in client.get(after["Location"]).content
    with pytest.raises(services.StepRefused):
        services.consent_read_record(request_id=req.pk, version_id=1)
    assert client.post(_base(tablet) + "exit/", {"password": PASSWORD}).status_code == 302
    tablet.refresh_from_db()
    assert tablet.end_reason == "locked after wrong dates of birth"


def test_other_pages_are_refused_in_tablet_mode(consent_case, desk, document) -> None:
    other_case = CaseFactory(state=CaseState.CONSENT_PENDING)
    client, tablet = _start(desk, consent_case)
    refused = [
        ("get", reverse("pathway:case_detail", args=[consent_case.pk])),
        ("get", reverse("pathway:case_board")),
        ("get", reverse("pathway:case_detail", args=[other_case.pk])),
        ("get", reverse("core:outbox")),
        ("get", "/admin/"),
        ("get", reverse("security")),
        ("post", reverse("logout")),
        ("post", reverse("consent_invite", args=[consent_case.pk])),
        ("post", reverse("consent_tablet_start", args=[other_case.pk])),
        ("get", f"/consent/tablet/{tablet.pk + 1}/"),  # another tablet session's pages
        ("get", f"/consent/tablet/{tablet.pk + 1}/exit/"),
    ]
    for method, url in refused:
        response = getattr(client, method)(url)
        assert response.status_code == 403, (url, response.status_code)
        assert b"This tablet shows only the consent document" in response.content, url
    entries = AuditEntry.objects.filter(action="consent.tablet.refused")
    assert entries.count() == len(refused)
    assert not TabletSession.objects.filter(case_id=other_case.pk).exists()
    assert Case.objects.get(pk=consent_case.pk).state == CaseState.CONSENT_PENDING
    # The tablet's own pages still answer; another browser cannot reach them at all.
    assert client.get(_base(tablet)).status_code == 200
    stranger = Client()
    assert stranger.get(_base(tablet)).status_code == 404
    assert stranger.get(_base(tablet) + "start/").status_code == 404
    colleague = Client()
    colleague.force_login(make_user(Role.CLINICIAN))
    assert colleague.get(_base(tablet)).status_code == 404


def test_leaving_tablet_mode_needs_the_password(consent_case, desk, document) -> None:
    client, tablet = _start(desk, consent_case)
    Tablet(client, _base(tablet)).dob(BORN)
    assert client.get(_base(tablet) + "exit/").status_code == 200
    wrong = client.post(_base(tablet) + "exit/", {"password": "not-the-password"})
    assert wrong.status_code == 400
    assert b"The password is not correct" in wrong.content
    blank = client.post(_base(tablet) + "exit/", {"password": ""})
    assert blank.status_code == 400
    case_page = reverse("pathway:case_detail", args=[consent_case.pk])
    assert client.get(case_page).status_code == 403  # still in tablet mode
    assert AuditEntry.objects.filter(action="consent.tablet.exit_refused").count() == 1
    tablet.refresh_from_db()
    assert tablet.ended_at is None

    left = client.post(_base(tablet) + "exit/", {"password": PASSWORD})
    assert left.status_code == 302
    assert client.get(case_page).status_code == 200
    tablet.refresh_from_db()
    assert tablet.end_reason == "left before signing" and tablet.ended_by == desk
    req = ConsentRequest.objects.get(pk=tablet.request_id)
    assert req.status == ConsentRequest.Status.REVOKED  # single-use: nothing signs it later
    end = AuditEntry.objects.get(action="consent.tablet.end")
    assert end.actor == desk and end.data["reason"] == "left before signing"


def _start_at_a_clinic_idle_after_5_minutes(staff: Any, case: Any) -> tuple[Client, Any, Any]:
    row = ClinicSettings.current()
    row.idle_timeout_minutes = 5
    row.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client, tablet = _start(staff, case)
    return client, tablet, start


def test_a_patient_reading_longer_than_the_idle_minutes_keeps_the_tablet(
    consent_case, desk, document
) -> None:
    """The clinic's idle log-off (5 minutes here) does not end tablet mode while the tablet
    session runs (30 minutes): the patient reading the document sees the signing pages, not the
    staff sign-in. Afterwards, and after leaving tablet mode, the idle log-off applies again."""
    client, tablet, start = _start_at_a_clinic_idle_after_5_minutes(desk, consent_case)
    with time_machine.travel(start, tick=False):
        assert client.get(_base(tablet)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        read_on = Tablet(client, _base(tablet)).dob(BORN)
        assert read_on.status_code == 302 and read_on["Location"].startswith(_base(tablet))
    assert not AuditEntry.objects.filter(action="auth.idle_timeout").exists()
    with time_machine.travel(start + timedelta(minutes=20 + 15), tick=False):
        ended = client.get(_base(tablet) + "read/")  # 15 idle minutes, past the tablet's 30
        assert ended.status_code == 302 and ended["Location"].startswith(reverse("login"))
    assert AuditEntry.objects.filter(action="auth.idle_timeout", actor=desk).exists()
    assert "consent_tablet" not in client.session and "_auth_user_id" not in client.session


def test_leaving_tablet_mode_gives_back_the_idle_log_off(consent_case, desk, document) -> None:
    client, tablet, start = _start_at_a_clinic_idle_after_5_minutes(desk, consent_case)
    with time_machine.travel(start, tick=False):
        assert client.post(_base(tablet) + "exit/", {"password": PASSWORD}).status_code == 302
        assert client.get(reverse("pathway:case_board")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=7), tick=False):
        response = client.get(reverse("pathway:case_board"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_expired_or_used_tablet_session_is_refused(consent_case, desk, document) -> None:
    client, tablet = _start(desk, consent_case)
    patient = Tablet(client, _base(tablet))
    assert patient.dob(BORN).status_code == 302
    past = timezone.now() - timedelta(minutes=1)
    TabletSession.objects.filter(pk=tablet.pk).update(expires_at=past)
    req = ConsentRequest.objects.select_related("link").get(pk=tablet.request_id)
    type(req.link).objects.filter(pk=req.link_id).update(expires_at=past)

    read = client.get(_base(tablet) + "read/")
    assert read.status_code == 302 and read["Location"].endswith("/done/")
    assert b"This signing session has ended" in client.get(read["Location"]).content
    version_id = document.versions.first().pk
    with pytest.raises(services.StepRefused):  # the service refuses it too, not only the page
        services.consent_read_record(request_id=req.pk, version_id=version_id)

    # Leaving closes it for good; the old session value opens nothing again.
    held = dict(client.session["consent_tablet"])
    assert client.post(_base(tablet) + "exit/", {"password": PASSWORD}).status_code == 302
    tablet.refresh_from_db()
    assert tablet.end_reason == "expired"
    session = client.session
    session["consent_tablet"] = held
    session.save()
    replay = client.get(_base(tablet) + "start/")
    assert replay.status_code == 302 and replay["Location"].endswith("/done/")
    assert not ConsentSignature.objects.exists()


def test_a_new_tablet_session_revokes_the_open_link(consent_case, desk, document) -> None:
    link_req, _token = services.consent_request_create(case_id=consent_case.pk, actor=desk)
    _client, tablet = _start(desk, consent_case)
    link_req.refresh_from_db()
    assert link_req.status == ConsentRequest.Status.REVOKED
    assert tablet.request.status == ConsentRequest.Status.PENDING


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CLINICIAN, True),
        (Role.PHYSICIAN, True),
        (Role.ADMIN_STAFF, True),
        (Role.CLINIC_ADMIN, False),
        (Role.PATIENT, False),
    ],
)
def test_who_may_start_tablet_mode(role: Role, allowed: bool, document) -> None:
    user = make_user(role)
    case = CaseFactory(
        state=CaseState.CONSENT_PENDING,
        **({"patient__user": user} if role is Role.PATIENT else {}),
    )
    client = Client()
    client.force_login(user)
    response = client.post(reverse("consent_tablet_start", args=[case.pk]))
    if allowed:
        assert response.status_code == 302
        assert re.fullmatch(r"/consent/tablet/\d+/", response["Location"])
        assert TabletSession.objects.filter(case_id=case.pk, started_by=user).exists()
    else:
        assert response.status_code == 403
        assert not TabletSession.objects.exists()
        assert AuditEntry.objects.filter(action="access.denied").exists()


def test_anonymous_and_wrong_state_cannot_start(desk, document) -> None:
    case = CaseFactory(state=CaseState.CONSENT_PENDING)
    anonymous = Client().post(reverse("consent_tablet_start", args=[case.pk]))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    early = CaseFactory(state=CaseState.EVALUATION)
    client = Client()
    client.force_login(desk)
    response = client.post(reverse("consent_tablet_start", args=[early.pk]), follow=True)
    assert b"Tablet mode was not started" in response.content
    assert not TabletSession.objects.exists()
    assert "consent_tablet" not in client.session


def test_the_tablet_speaks_the_patients_language(desk, document) -> None:
    case = CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__given_name="Lucía",
        patient__preferred_language="es",
    )
    client, tablet = _start(desk, case)
    handover = client.get(_base(tablet)).content.decode()
    assert 'lang="es"' in handover and "Por favor, entregue la tableta a Lucía" in handover
    dob = client.get(_base(tablet) + "start/").content.decode()
    assert "confirme su fecha de nacimiento" in dob
    # The switcher on the tablet's pages is the link's, at the tablet's own address.
    switched = client.post(_base(tablet) + "language/", {"language": "en"})
    assert switched.status_code == 302
    assert "Please hand the tablet to Lucía" in client.get(_base(tablet)).content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"password": "x" * 100_000}, {"password": "\x00é"}, {"password": ["a", "b"]}],
)
def test_the_exit_form_refuses_junk_without_leaving(consent_case, desk, document, data) -> None:
    client, tablet = _start(desk, consent_case)
    response = client.post(_base(tablet) + "exit/", data)
    assert response.status_code == 400
    tablet.refresh_from_db()
    assert tablet.ended_at is None
    assert client.get(reverse("pathway:case_board")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tablets_started_at_once_leave_one_open(document) -> None:
    """Two staff members press the button for the same case at the same moment: the patient's
    row lock orders them, so exactly one tablet session and one request stay open."""
    import threading

    from django.db import connections

    from consent.tablet import tablet_start

    case = CaseFactory(state=CaseState.CONSENT_PENDING)
    staff = [make_user(Role.CLINICIAN), make_user(Role.ADMIN_STAFF)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def press(actor: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(tablet_start(case_id=case.pk, actor=actor)[0].pk)
        except Exception as exc:  # recorded: the assertions below fail on any
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert TabletSession.objects.filter(case_id=case.pk, ended_at__isnull=True).count() == 1
    pending = ConsentRequest.objects.filter(case_id=case.pk, status="pending")
    assert pending.count() == 1
    assert pending.get().tablet.ended_at is None


def test_a_representative_signs_on_the_tablet_and_a_witness_countersigns_after(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    """The three ways of signing together: in the clinic on the tablet, by a representative, on
    a document that needs a witness. The tablet hands back with the consent still incomplete;
    the staff member leaves tablet mode and captures the witness; then the case moves on and the
    one sealed record names the channel, the representative and the witness."""
    from pathlib import Path

    from django.conf import settings

    from demo.consent import demo_signature
    from records.validation import verify_pdf

    document.countersignature = "witness"
    document.save()
    client, tablet = _start(desk, consent_case)
    patient = Tablet(client, _base(tablet))
    review = patient.through_review(BORN, _answers(document))
    with django_capture_on_commit_callbacks(execute=True):
        signed = patient.sign(
            review,
            name="Ingrid O'Hara",
            signer_role="representative",
            representative_name="Ingrid O'Hara",
            representative_relationship="daughter",
            representative_authority="healthcare_poa",
        )
    assert signed.status_code == 302 and signed["Location"] == _base(tablet) + "done/"
    assert client.get(signed["Location"]).status_code == 200
    signature = ConsentSignature.objects.get(case_id=consent_case.pk)
    assert (signature.channel, signature.signer_role) == ("tablet", "representative")
    assert signature.countersignature_required == "witness"
    assert Case.objects.get(pk=consent_case.pk).state == CaseState.CONSENT_PENDING
    assert client.post(_base(tablet) + "exit/", {"password": PASSWORD}).status_code == 302

    image, strokes = demo_signature()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("consent_countersign_witness", args=[signature.pk]),
            {"witness_name": "Petra Holm", "attest": "on", "signature": image, "strokes": strokes},
        )
    assert done.status_code == 302, done.content[:2000]
    assert Case.objects.get(pk=consent_case.pk).state == CaseState.PLAN_PENDING
    pdf = pdf_of(RecordKind.CONSENT, signature.pk)
    text = " ".join(pdf_text(pdf).split())
    assert "on a clinic tablet, started by Sol Rivera" in text
    assert "as the patient's legally authorised representative" in text
    assert "Witness (printed name) Petra Holm" in text
    trust = Path(settings.SEAL_CERT_PATH).read_bytes()
    assert verify_pdf(pdf, trust_root_pem=trust).problems == []
