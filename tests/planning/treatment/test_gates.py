"""Treatment gates: each refused with what is missing, through the service and through the page;
leaving and resuming active treatment; staff withdrawal through consent; re-approval after
re-consent; notices to staff."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentWithdrawal
from core.errors import AccessDenied, TransitionRefused, ValidationFailed
from core.models import ClinicSettings
from core.outbox import outbox_deliver_due
from planning.followups.models import FollowUpStatus
from planning.intake.models import SafetyAlert
from planning.intake.services import alert_acknowledge, alert_decide, alert_raise
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from planning.treatment.models import TreatmentSession
from planning.treatment.services import plans as plan_services
from planning.treatment.services import sessions as session_services
from planning.treatment.services.sessions import DosingRecord, GateRefused
from tests.consent.helpers import consent_signed_for, published_version
from tests.planning.treatment.helpers import active_case, approve, next_session, predose
from tests.support.esign import esign

pytestmark = pytest.mark.django_db


def _dose(case, clinician, session, mg="36.25"):  # type: ignore[no-untyped-def]
    return session_services.session_record_dosing(
        case=case,
        session_id=session.pk,
        actor=clinician,
        data=DosingRecord(timezone.now(), Decimal(mg), "LOT-1"),
    )


def _refused(case, clinician, session, text, mg="36.25") -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GateRefused) as refused:
        _dose(case, clinician, session, mg)
    assert text in refused.value.message
    assert TreatmentSession.objects.get(pk=session.pk).dose_given_mg is None


def _settings(**values: object) -> None:
    ClinicSettings.objects.update_or_create(pk=1, defaults=values)


def test_dose_needs_the_predose_checklist_and_an_escort(physician, clinician) -> None:
    case = active_case(physician)
    session = next_session(case)
    _refused(case, clinician, session, "the pre-dose checklist and vitals")
    predose(case, clinician, session, escort=False)
    _refused(case, clinician, session, "an escort home confirmed")
    predose(case, clinician, session, escort=True)
    done = _dose(case, clinician, session)
    assert done.dose_given_mg == Decimal("36.25")
    assert done.consent_signature_id == case.plans.get().consent_reference["signature_id"]


def test_vitals_above_the_limits_need_a_physicians_signed_clearance(physician, clinician) -> None:
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session, bp=(150, 85))
    _refused(case, clinician, session, "pre-dose blood pressure 150/85 is above the clinic's")
    with pytest.raises(AccessDenied):
        session_services.session_bp_clearance(
            case=case,
            session_id=session.pk,
            actor=clinician,
            reason="ok",
            signature=esign(clinician),
        )
    with pytest.raises(ValidationFailed, match="password"):
        session_services.session_bp_clearance(
            case=case,
            session_id=session.pk,
            actor=physician,
            reason="ok",
            signature=esign(physician, password="wrong"),
        )
    session_services.session_bp_clearance(
        case=case,
        session_id=session.pk,
        actor=physician,
        reason="Anxious on arrival; repeat 148/84 after rest.",
        signature=esign(physician),
    )
    predose(case, clinician, session, bp=(160, 95))  # new vitals: the clearance does not carry
    _refused(case, clinician, session, "160/95")
    _settings(predose_systolic_max=165, predose_diastolic_max=100)
    assert _dose(case, clinician, session).dose_given_mg is not None


def test_a_dose_other_than_the_plans_needs_a_recorded_deviation(physician, clinician) -> None:
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session)
    _refused(case, clinician, session, "40.00 mg differs from the approved 36.25 mg", mg="40.00")
    _settings(dose_tolerance_percent=Decimal("5"))
    _refused(case, clinician, session, "tolerance 5.00 %", mg="40.00")
    with pytest.raises(ValidationFailed, match="within the plan's tolerance"):
        session_services.session_deviation_record(
            case=case,
            session_id=session.pk,
            actor=physician,
            dose_mg=Decimal("37"),
            reason="x",
            signature=esign(physician),
        )
    session_services.session_deviation_record(
        case=case,
        session_id=session.pk,
        actor=physician,
        dose_mg=Decimal("40.00"),
        reason="Weight re-measured at 80 kg today.",
        signature=esign(physician),
    )
    _refused(case, clinician, session, "39.00 mg differs", mg="39.00")  # bound to that dose
    assert _dose(case, clinician, session, mg="40.00").dose_given_mg == Decimal("40.00")
    client = Client()
    client.force_login(clinician)
    page = client.get(reverse("treatment:session_page", args=[case.pk, session.pk]))
    assert "Weight re-measured at 80 kg today." in page.content.decode()


def test_an_open_alert_blocks_the_dose_until_a_physician_decides(physician, clinician) -> None:
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session)
    alert = alert_raise(case=case, message="PHQ-9 worse than last time (12 → 19)")
    _refused(case, clinician, session, "PHQ-9 worse than last time (12 → 19)")
    alert_acknowledge(case=case, alert_id=alert.pk, actor=clinician, note="Called the patient.")
    _refused(case, clinician, session, "a physician's decision on the open safety alert")
    with pytest.raises(AccessDenied):
        alert_decide(
            case=case,
            alert_id=alert.pk,
            actor=clinician,
            decision="continue",
            reason="x",
            signature=esign(clinician),
        )
    alert_decide(
        case=case,
        alert_id=alert.pk,
        actor=physician,
        decision="continue",
        reason="Seen today; no suicidal intent; continue.",
        signature=esign(physician),
    )
    assert _dose(case, clinician, session).dose_given_mg is not None


def test_a_hold_decision_holds_the_case_and_suspends_its_sessions(physician, clinician) -> None:
    case = active_case(physician)
    alert = alert_raise(case=case, message="Chest pain reported")
    alert_decide(
        case=case,
        alert_id=alert.pk,
        actor=physician,
        decision="refer",
        reason="Referred to cardiology.",
        signature=esign(physician),
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.ON_HOLD
    assert set(case.sessions.values_list("status", flat=True)) == {"suspended"}
    assert SafetyAlert.objects.get(pk=alert.pk).decision == "refer"


def test_a_session_too_far_ahead_of_its_date_is_refused(physician, clinician) -> None:
    case = active_case(physician, sessions=2, frequency="weekly")
    second = case.sessions.order_by("number")[1]
    from core.dates import day

    with pytest.raises(GateRefused, match="7 days away; the clinic allows at most 1 day early"):
        predose(case, clinician, second)
    _refused(case, clinician, second, "7 days away; the clinic allows at most 1 day early")
    with pytest.raises(GateRefused) as refused:
        predose(case, clinician, second)
    assert f"scheduled for {day(second.scheduled_for)}," in str(refused.value)
    _settings(session_early_days=7)
    predose(case, clinician, second)
    assert _dose(case, clinician, second).dose_given_mg is not None


def test_the_gates_refuse_through_the_page_and_keep_what_was_typed(physician, clinician):
    case = active_case(physician)
    session = next_session(case)
    client = Client()
    client.force_login(clinician)
    url = reverse("treatment:session_page", args=[case.pk, session.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="gate-problems"' in page and "the pre-dose checklist" in page
    response = client.post(
        url,
        {
            "step": "dosing",
            "dosing-dosing_started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "dosing-dose_given_mg": "36.25",
            "dosing-lot_number": "LOT-TYPED",
        },
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Recording the dose is refused. It needs: the pre-dose checklist" in body
    assert 'value="LOT-TYPED"' in body
    assert TreatmentSession.objects.get(pk=session.pk).dose_given_mg is None


# Leaving and resuming active treatment --------------------------------------------------------


def _generated_open(case) -> int:  # type: ignore[no-untyped-def]
    return case.followups.filter(
        generated=True, status__in=[FollowUpStatus.SCHEDULED, FollowUpStatus.DUE]
    ).count()


def test_hold_suspends_and_resume_restores_only_what_is_still_due(physician, clinician) -> None:
    case = active_case(physician, sessions=3)
    assert _generated_open(case) > 0
    first = case.sessions.order_by("number").first()
    TreatmentSession.objects.filter(pk=first.pk).update(
        scheduled_for=timezone.localdate() - timedelta(days=1)
    )
    case_transition(case_id=case.pk, transition="hold", actor=clinician, reason="Travel")
    assert set(case.sessions.values_list("status", flat=True)) == {"suspended"}
    assert _generated_open(case) == 0
    _refused(case, clinician, first, "the case is not in active treatment (it is On hold)")
    case_transition(case_id=case.pk, transition="resume", actor=clinician)
    statuses = dict(case.sessions.values_list("number", "status"))
    assert statuses == {1: "cancelled", 2: "scheduled", 3: "scheduled"}
    assert _generated_open(case) > 0
    assert not case.followups.filter(status="scheduled", due_at__lt=timezone.now()).exists()


def test_staff_withdrawal_goes_through_consent_and_cancels_everything(physician, clinician):
    case = active_case(physician)
    case_transition(
        case_id=case.pk,
        transition="withdraw",
        actor=clinician,
        reason="Patient phoned to stop treatment",
    )
    withdrawal = ConsentWithdrawal.objects.get(case_id=case.pk)
    assert withdrawal.reason == "Patient phoned to stop treatment"
    assert withdrawal.signature_id == case.plans.get().consent_reference["signature_id"]
    assert Case.objects.get(pk=case.pk).state == CaseState.WITHDRAWN
    assert set(case.sessions.values_list("status", flat=True)) == {"cancelled"}
    assert not case.followups.filter(status__in=["scheduled", "due", "reminded"]).exists()


def test_amendment_suspends_then_the_new_approval_schedules_again(physician, clinician) -> None:
    case = active_case(physician, sessions=2)
    draft = plan_services.plan_amend(case=case, actor=physician, reason="Lower dose")
    assert set(case.sessions.values_list("status", flat=True)) == {"suspended"}
    approve(case, physician, draft)
    assert case.sessions.filter(status="scheduled", plan=draft).count() == 2
    assert case.sessions.filter(status="suspended").count() == 0


def test_after_reconsent_the_plan_is_signed_again_on_the_new_signature(
    physician, clinician, clinic_admin
) -> None:
    from consent.models import ConsentVersion
    from consent.services import consent_version_publish

    case = active_case(physician)
    old = case.plans.get()
    current = ConsentVersion.objects.published().order_by("-published_at").first()
    draft = ConsentVersion.objects.create(
        document=current.document,
        label="v2",
        body_markdown=current.body_markdown + "\nMore.\n",
        material_change=True,
    )
    consent_version_publish(version_id=draft.pk, actor=clinic_admin)
    assert Case.objects.get(pk=case.pk).state == CaseState.CONSENT_PENDING
    assert set(case.sessions.values_list("status", flat=True)) == {"suspended"}
    signature = consent_signed_for(case)
    case_transition(case_id=case.pk, transition="record_consent", actor=clinician)
    with pytest.raises(TransitionRefused, match="approved again on the new consent signature"):
        case_transition(case_id=case.pk, transition="approve_plan", actor=physician)
    renewed = plan_services.plan_renew(case=case, actor=physician)
    approve(case, physician, renewed)
    renewed.refresh_from_db()
    assert (
        renewed.consent_reference["signature_id"]
        == signature.pk
        != old.consent_reference["signature_id"]
    )
    case = Case.objects.get(pk=case.pk)
    session = next_session(case)
    assert session.plan_id == renewed.pk
    predose(case, clinician, session)
    assert _dose(case, clinician, session).consent_signature_id == signature.pk


def test_a_minor_consent_version_does_not_stop_treatment(physician, clinician) -> None:
    case = active_case(physician)
    published_version("v1.1", material=False)
    session = next_session(case)
    predose(case, clinician, session)
    assert _dose(case, clinician, session).dose_given_mg is not None


# The pre-dose checklist and notices ----------------------------------------------------------


def test_pregnancy_status_is_asked_and_unknown_is_raised(physician, clinician) -> None:
    case = active_case(physician)
    patient = case.patient
    patient.sex_at_birth = "female"
    patient.date_of_birth = timezone.localdate() - timedelta(days=365 * 30)
    patient.save()
    session = next_session(case)
    with pytest.raises(ValidationFailed, match="pregnancy status"):
        predose(case, clinician, session)
    predose(case, clinician, session, pregnancy="unknown")
    _refused(case, clinician, session, "pregnancy status “Unknown (to be confirmed)”")


def test_a_new_medication_hitting_a_rule_is_raised_for_the_physician(physician, clinician):
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session, meds="Lorazepam 1 mg")
    _refused(case, clinician, session, "new medication Lorazepam 1 mg hits interaction")


def test_staff_are_told_of_alerts_and_withdrawals(
    physician, clinician, django_capture_on_commit_callbacks
) -> None:
    _settings(on_call_email="oncall@clinic.invalid")
    case = active_case(physician)
    Case.objects.filter(pk=case.pk).update(physician=physician)
    case = Case.objects.get(pk=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        alert_raise(case=case, message="Item 9 above zero")
    outbox_deliver_due()  # notices go through the outbox
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["oncall@clinic.invalid", physician.email]
    )
    assert "Safety alert raised" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, transition="withdraw", actor=clinician, reason="Stop")
    outbox_deliver_due()
    assert {m.to[0] for m in mail.outbox} == {"oncall@clinic.invalid", physician.email}
    assert "withdrawn" in mail.outbox[0].subject


# Every gate through the page -------------------------------------------------------------------


def _withdraw_behind_the_pathways_back(case, clinician, physician) -> None:  # type: ignore[no-untyped-def]
    ConsentWithdrawal.objects.create(patient=case.patient, case_id=case.pk, reason="test")


def _newer_draft(case, clinician, physician) -> None:  # type: ignore[no-untyped-def]
    from planning.treatment.models import DosingPlan

    old = case.plans.get()
    DosingPlan.objects.create(
        case=case,
        version=2,
        supersedes=old,
        protocol=old.protocol,
        route=old.route,
        dose_mg=old.dose_mg,
        sessions=old.sessions,
        frequency=old.frequency,
        start_date=old.start_date,
        monitoring_requirements="x",
        cost_per_session_cents=0,
        total_cost_cents=0,
        created_by=physician,
    )


PAGE_GATES = [
    (
        lambda c, n, p: case_transition(case_id=c.pk, transition="hold", actor=n, reason="x"),
        "the case is not in active treatment (it is On hold)",
    ),
    (_withdraw_behind_the_pathways_back, "signature on the current consent version"),
    (_newer_draft, "an approved dosing plan in force"),
    (
        lambda c, n, p: TreatmentSession.objects.filter(case=c).update(
            scheduled_for=timezone.localdate() + timedelta(days=5)
        ),
        "5 days away",
    ),
    (lambda c, n, p: None, "the pre-dose checklist and vitals"),
    (lambda c, n, p: predose(c, n, next_session(c), escort=False), "an escort home confirmed"),
    (lambda c, n, p: predose(c, n, next_session(c), bp=(145, 80)), "145/80 is above"),
    (
        lambda c, n, p: (predose(c, n, next_session(c)), alert_raise(case=c, message="Fell ill")),
        "“Fell ill”",
    ),
]


@pytest.mark.parametrize(("arrange", "message"), PAGE_GATES)
def test_each_gate_is_refused_through_the_page(physician, clinician, arrange, message) -> None:
    case = active_case(physician)
    session = next_session(case)
    arrange(case, clinician, physician)
    client = Client()
    client.force_login(clinician)
    response = client.post(
        reverse("treatment:session_page", args=[case.pk, session.pk]),
        {
            "step": "dosing",
            "dosing-dosing_started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "dosing-dose_given_mg": "36.25",
            "dosing-lot_number": "LOT-P",
        },
    )
    assert response.status_code == 409
    assert message in response.content.decode()
    assert TreatmentSession.objects.get(pk=session.pk).dose_given_mg is None


def test_a_deviating_dose_is_refused_through_the_page(physician, clinician) -> None:
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session)
    client = Client()
    client.force_login(clinician)
    response = client.post(
        reverse("treatment:session_page", args=[case.pk, session.pk]),
        {
            "step": "dosing",
            "dosing-dosing_started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "dosing-dose_given_mg": "50",
            "dosing-lot_number": "LOT-P",
        },
    )
    assert response.status_code == 409
    assert "50 mg differs from the approved 36.25 mg" in response.content.decode()
