"""Follow-ups: generation from the plan (frozen time), amendment, withdrawal, the sweep, the
e-mail and the patient's questionnaire link."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import OutboundMessage
from core.outbox import outbox_deliver_due
from planning.followups import services as followup_services
from planning.followups.models import FollowUp
from planning.followups.sweep import sweep
from planning.intake.models import SafetyAlert
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from planning.treatment.services import plans as plan_services
from records.models import RecordKind
from tests.consent.helpers import make_link
from tests.factories import CaseFactory, satisfy_intake
from tests.support.esign import esign
from tests.support.records import count, latest

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=LONDON)


def _approve(case, physician, *, sessions=6, frequency="twice weekly", start=date(2027, 3, 2)):
    plan = plan_services.plan_draft_save(
        case=case,
        actor=physician,
        data=plan_services.PlanInput(
            route="iv",
            dose_value=Decimal("0.5"),
            sessions=sessions,
            frequency=frequency,
            start_date=start,
        ),
    )
    with mock.patch("planning.treatment.services.plans._queue_plan_pdf"):
        return plan_services.plan_approve(
            case=Case.objects.get(pk=case.pk),
            plan_id=plan.pk,
            actor=physician,
            signature=esign(physician),
        )


def _case(email="robin@example.invalid"):
    case = CaseFactory(state=CaseState.PLAN_PENDING, patient__email=email)
    satisfy_intake(case, "complete_evaluation")  # PHQ-9 baseline 16
    return case


def _keys(case) -> list[str]:
    return sorted(case.followups.exclude(status="cancelled").values_list("key", flat=True))


@time_machine.travel(MONDAY, tick=False)
def test_generation_from_the_plan(physician) -> None:
    case = _case()
    _approve(case, physician)
    sessions = [date(2027, 3, d) for d in (2, 5, 9, 12, 16, 19)]  # every 3, then 4 days
    assert list(case.sessions.values_list("scheduled_for", flat=True)) == sessions
    checkins = case.followups.filter(kind="check_in").order_by("due_at")
    assert [f.due_at.astimezone(LONDON) for f in checkins] == [
        datetime(2027, 3, d + 1, 10, tzinfo=LONDON) for d in (2, 5, 9, 12, 16, 19)
    ]
    phq9 = [f.due_at.date() for f in case.followups.filter(kind="phq9").order_by("due_at")]
    assert phq9 == [date(2027, 3, 9), date(2027, 3, 16), date(2027, 3, 23)]
    review = case.followups.get(kind="re_evaluation")
    assert review.due_at.date() == date(2027, 3, 26)
    assert case.followups.filter(kind="bp_recheck").count() == 1
    assert checkins[0].title == "Check-in after the 2 Mar 2027 session"  # the clinic's format
    from django.utils import translation

    from planning.followups.services import wanted_for_plan

    plan = case.plans.get()
    with translation.override("es"):  # a patient's request: the stored title stays the clinic's
        titles = [w.title for w in wanted_for_plan(plan, [date(2027, 3, 2)])]
    assert "Check-in after the 2 Mar 2027 session" in titles


@time_machine.travel(MONDAY, tick=False)
def test_amendment_regenerates_without_duplicates(physician) -> None:
    case = _case()
    _approve(case, physician)
    first_checkin = case.followups.get(key=f"case:{case.pk}:check_in:2027-03-02")
    plan_services.plan_amend(
        case=Case.objects.get(pk=case.pk), actor=physician, reason="Weekly from now on"
    )
    draft = case.plans.get(status="draft")
    plan_services.plan_draft_save(
        case=Case.objects.get(pk=case.pk),
        actor=physician,
        data=plan_services.PlanInput(
            route="iv",
            dose_value=Decimal("0.5"),
            sessions=4,
            frequency="weekly",
            start_date=date(2027, 3, 2),
        ),
    )
    with mock.patch("planning.treatment.services.plans._queue_plan_pdf"):
        plan_services.plan_approve(
            case=Case.objects.get(pk=case.pk),
            plan_id=draft.pk,
            actor=physician,
            signature=esign(physician),
        )
    keys = _keys(case)
    assert len(keys) == len(set(keys))
    weekly = [f"case:{case.pk}:check_in:2027-03-{d:02d}" for d in (2, 9, 16, 23)]
    assert all(k in keys for k in weekly)
    assert f"case:{case.pk}:check_in:2027-03-05" not in keys
    assert case.followups.get(key=f"case:{case.pk}:check_in:2027-03-05").status == "cancelled"
    assert case.followups.get(key=first_checkin.key).pk == first_checkin.pk
    # Approving the same plan's follow-ups again changes nothing.
    before = FollowUp.objects.count()
    followup_services.followups_generate(plan=case.plans.get(status="approved", version=2))
    assert FollowUp.objects.count() == before


@time_machine.travel(MONDAY, tick=False)
def test_withdrawal_cancels_open_followups(physician, clinician) -> None:
    case = _case()
    _approve(case, physician)
    case_transition(case_id=case.pk, transition="withdraw", actor=clinician, reason="Moved")
    assert not case.followups.exclude(status="cancelled").exists()


def test_sweep_reminds_once_and_sends_the_email(physician) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = _case()
        _approve(case, physician)
    # Staff kinds become tasks on the board instead of e-mails.
    checkin = case.followups.get(key=f"case:{case.pk}:check_in:2027-03-02")
    with time_machine.travel(checkin.due_at + timedelta(minutes=1), tick=False):
        sweep()
    checkin.refresh_from_db()
    assert checkin.status == "due" and not OutboundMessage.objects.exists()
    outbox_deliver_due()
    assert not mail.outbox
    phq9 = case.followups.filter(kind="phq9").order_by("due_at").first()
    with time_machine.travel(phq9.due_at + timedelta(minutes=1), tick=False):
        first, second = sweep(), sweep()
        delivered, again = outbox_deliver_due(), outbox_deliver_due()
    phq9.refresh_from_db()
    key = f"followup-{phq9.pk}"
    assert phq9.status == "reminded" and OutboundMessage.objects.filter(dedupe_key=key).count() == 1
    assert second.reminded == 0 and delivered.sent == 1 and again.sent == 0
    patient_mails = [m for m in mail.outbox if m.to == ["robin@example.invalid"]]
    assert len(patient_mails) == 1
    message = patient_mails[0]
    assert message.subject.startswith("Harbour Light Clinic (demo): PHQ-9 questionnaire")
    assert "/f/" in message.body and "date of birth" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Answer the questionnaire" in html
    assert message.extra_headers["Message-ID"] == f"<followup-{phq9.pk}@pathway.invalid>"
    assert first.reminded == 1


def test_missed_when_the_window_ends(physician) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = _case()
        _approve(case, physician)
    checkin = case.followups.filter(kind="check_in").order_by("due_at").first()
    with time_machine.travel(checkin.window_ends_at + timedelta(minutes=1), tick=False):
        sweep()
    checkin.refresh_from_db()
    assert checkin.status == "missed"


@pytest.mark.parametrize(
    "today",
    [datetime(2027, 1, 12, 9, tzinfo=LONDON), datetime(2027, 7, 12, 9, tzinfo=LONDON)],
    ids=["winter-GMT", "summer-BST"],
)
def test_staff_add_and_reschedule(admin_staff, today: datetime) -> None:
    traveller = time_machine.travel(today, tick=False)
    traveller.start()
    try:
        _staff_add_and_reschedule(admin_staff)
    finally:
        traveller.stop()


def _staff_add_and_reschedule(admin_staff) -> None:
    case = CaseFactory(state=CaseState.ACTIVE)
    client = Client()
    client.force_login(admin_staff)
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("followups:add", args=[case.pk]),
        {"kind": "custom", "title": "Call about transport", "due_at": due, "window_hours": 24},
    )
    followup = FollowUp.objects.get(case=case)
    assert not followup.generated and followup.title == "Call about transport"
    later = (timezone.localtime() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("followups:reschedule", args=[case.pk, followup.pk]), {"due_at": later})
    followup.refresh_from_db()
    # Compared in the clinic's time zone: in summer London is UTC+1, and the typed time is local.
    assert timezone.localtime(followup.due_at).strftime("%Y-%m-%dT%H:%M") == later
    assert followup.window_ends_at - followup.due_at == timedelta(hours=24)
    with pytest.raises(ValidationFailed, match="past"):
        followup_services.followup_reschedule(
            case=case,
            followup_id=followup.pk,
            actor=admin_staff,
            due_at=timezone.now() - timedelta(days=1),
        )


# The patient's link ------------------------------------------------------------------------


def _reminded_phq9(physician):
    with time_machine.travel(MONDAY, tick=False):
        case = _case()
        _approve(case, physician)
    phq9 = case.followups.filter(kind="phq9").order_by("due_at").first()
    return case, phq9


def _link() -> str:
    outbox_deliver_due()
    message = next(m for m in reversed(mail.outbox) if "/f/" in m.body)
    return re.search(r"(/f/[^/\s]+/)", message.body).group(1)


ANSWERS_8 = {f"phq9_{i}": v for i, v in enumerate([1, 1, 1, 1, 1, 1, 1, 1, 0], start=1)}


def test_questionnaire_link_flow_response_and_remission(physician) -> None:
    case, phq9 = _reminded_phq9(physician)
    with time_machine.travel(phq9.due_at + timedelta(minutes=1), tick=True):
        sweep()
        link = _link()
        client = Client()
        assert "date of birth" in client.get(link).content.decode()
        response = client.post(link, {"date_of_birth": "1985-05-20"})
        assert response.status_code == 302
        response = client.post(link, ANSWERS_8)
        assert response.status_code == 200 and "Thank you" in response.content.decode()
        phq9.refresh_from_db()
        assert phq9.status == "completed" and phq9.response.total == 8
        assert not SafetyAlert.objects.filter(case=case, message__contains="worse").exists()
        # Opened again by anyone holding the link: the answers were received, but not when
        # (that is the patient's, behind the date of birth or their sign-in).
        again = Client().get(link)
        page = again.content.decode()
        assert again.status_code == 200 and 'data-testid="questionnaire-received"' in page
        assert phq9.completed_at is not None
        assert "were received." in page and "received on" not in page
        assert f"{phq9.completed_at:%-d %B %Y}" not in page
        assert "not valid" not in page and "date of birth" not in page


def test_worse_score_and_item9_raise_alerts(physician) -> None:
    case, phq9 = _reminded_phq9(physician)
    with time_machine.travel(phq9.due_at + timedelta(minutes=1), tick=True):
        sweep()
        client = Client()
        link = _link()
        client.post(link, {"date_of_birth": "1985-05-20"})
        worse = {f"phq9_{i}": 2 for i in range(1, 10)}  # 18 > baseline 16, item 9 = 2
        client.post(link, worse)
    messages = list(SafetyAlert.objects.filter(case=case).values_list("message", flat=True))
    assert any("worse than last time (16 → 18)" in m for m in messages)
    assert any("item 9" in m.lower() for m in messages)


def test_wrong_date_of_birth_locks_and_expired_link_is_refused(physician) -> None:
    _, phq9 = _reminded_phq9(physician)
    with time_machine.travel(phq9.due_at + timedelta(minutes=1), tick=True):
        sweep()
        link = _link()
        client = Client()
        for _ in range(5):
            response = client.post(link, {"date_of_birth": "1990-01-01"})
            assert response.status_code in (400, 403)
        response = client.post(link, {"date_of_birth": "1985-05-20"})
        assert response.status_code == 403 and "locked" in response.content.decode()
    _, other = _reminded_phq9(physician)
    with time_machine.travel(other.due_at + timedelta(minutes=1), tick=True):
        sweep()
        link = _link()
    with time_machine.travel(other.window_ends_at + timedelta(minutes=1), tick=True):
        response = Client().get(link)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_completed_twice_is_refused(physician) -> None:
    _, phq9 = _reminded_phq9(physician)
    with time_machine.travel(phq9.due_at + timedelta(minutes=1), tick=True):
        sweep()
        link = _link()
        first, second = Client(), Client()
        for client in (first, second):
            client.post(link, {"date_of_birth": "1985-05-20"})
        assert first.post(link, ANSWERS_8).status_code == 200
        response = second.post(link, ANSWERS_8)
    # the second answers are not stored; the page says the first ones were received
    assert response.status_code == 200 and "questionnaire-received" in response.content.decode()
    assert phq9.case.responses.filter(followup__isnull=False).count() == 1


def test_sweep_redrives_a_plan_pdf_whose_message_was_lost(physician, sealing) -> None:
    case = _case()
    plan = _approve(case, physician, start=timezone.localdate())
    assert count(RecordKind.PLAN) == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):
        result = sweep()
    assert f"plan:{plan.pk}" in result.redriven and latest(RecordKind.PLAN, plan.pk).sha256


def test_unsigned_consent_becomes_a_staff_task_once(admin_staff) -> None:
    from consent.models import ConsentRequest

    case = CaseFactory(state=CaseState.CONSENT_PENDING)
    now = timezone.now()
    ConsentRequest.objects.create(
        patient=case.patient,
        case_id=case.pk,
        document=_any_document(admin_staff),
        link=make_link(case.patient, case_id=case.pk, days=3),
        created_at=now - timedelta(days=4),
    )
    sweep()
    sweep()
    task = FollowUp.objects.get(case=case, kind="unsigned_consent")
    assert task.status == "due" and task.reminded_at is not None
    assert not OutboundMessage.objects.exists()  # a staff task, not a message


def _any_document(actor):
    from consent.models import ConsentDocument

    return ConsentDocument.objects.first() or ConsentDocument.objects.create(title="Consent")


def test_a_patient_who_prefers_texts_gets_one_text_with_the_link(physician, settings) -> None:
    from core import sms

    settings.PATHWAY_SMS_BACKEND = "core.sms.ConsoleSmsBackend"
    sms.sent.clear()
    with time_machine.travel(MONDAY, tick=False):
        case = _case()
        case.patient.phone, case.patient.contact_channel = "+44 7700 900222", "sms"
        case.patient.save()
        _approve(case, physician)
    phq9 = case.followups.filter(kind="phq9").order_by("due_at").first()
    with time_machine.travel(phq9.due_at + timedelta(minutes=1), tick=True):
        sweep()
        sweep()
        outbox_deliver_due()
        outbox_deliver_due()
        assert not [m for m in mail.outbox if m.to == ["robin@example.invalid"]]
        assert len(sms.sent) == 1 and sms.sent[0].to == "+44 7700 900222"
        link = re.search(r"http://[^\s]+(/f/[^/\s]+/)", sms.sent[0].text).group(1)
        response = Client().post(link, {"date_of_birth": "1985-05-20"})
    assert response.status_code == 302
