"""Treatment sessions: scheduled from the approved plan, monitored, and signed off.

Discharge before the protocol's minimum observation time, with the last blood pressure above
the clinic threshold, or without acceptable vitals, alertness and a confirmed escort needs a
physician's note first. A signed-off session is a record and never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import AccessDenied, TransitionRefused, ValidationFailed
from core.esign import ESignature
from core.models import ClinicSettings, User
from planning.intake import rules as intake_rules
from planning.intake.models import MedicationKind, PregnancyStatus
from planning.pathway.audit import audit_case
from planning.pathway.esign import signing
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import state_label
from planning.pathway.workflow import register_guard
from planning.treatment import gates, hooks
from planning.treatment.models import (
    DosingPlan,
    EarlyCompletion,
    Route,
    TreatmentSession,
    VitalSignReading,
)

REMS_DAYS = 7
CADSS_ITEMS = ("cadss_1", "cadss_2", "cadss_6", "cadss_7", "cadss_15", "cadss_22")


def _audit(action: str, actor: User, session: TreatmentSession, **data: object) -> None:
    audit_case(
        action=action,
        actor=actor,
        case=session.case,
        target=f"session:{session.pk}",
        data={"number": session.number, **data},
    )


def session_gaps(frequency: str) -> list[int]:
    """Days between sessions for a protocol frequency label (a repeating pattern)."""
    label = frequency.lower()
    if "three times" in label:
        return [2, 2, 3]
    if "twice" in label:
        return [3, 4]
    if "two weeks" in label:
        return [14]
    return [7]


def schedule_dates(start: date, count: int, frequency: str) -> list[date]:
    gaps, dates, day = session_gaps(frequency), [], start
    for index in range(count):
        dates.append(day)
        day += timedelta(days=gaps[index % len(gaps)])
    return dates


def sessions_schedule(*, plan: DosingPlan) -> list[TreatmentSession]:
    """Replace the case's future (unsigned) sessions with the newly approved plan's."""
    case = plan.case
    case.sessions.filter(status__in=WAITING).update(status=TreatmentSession.Status.CANCELLED)
    done = case.sessions.filter(status=TreatmentSession.Status.SIGNED_OFF).count()
    remaining = max(plan.sessions - done, 0)
    first_ever = done == 0
    sessions = [
        TreatmentSession(
            case=case,
            plan=plan,
            number=done + i + 1,
            scheduled_for=day,
            first_treatment=first_ever and i == 0,
        )
        for i, day in enumerate(schedule_dates(plan.start_date, remaining, plan.frequency))
    ]
    return TreatmentSession.objects.bulk_create(sessions)


WAITING = (TreatmentSession.Status.SCHEDULED, TreatmentSession.Status.SUSPENDED)


def sessions_suspend(*, case: Case, cancel: bool, why: str) -> int:
    """The case left active treatment: its scheduled sessions are suspended (or cancelled when
    the case cannot come back) and the follow-ups generated for them cancelled, in the
    transition's transaction."""
    status = TreatmentSession.Status.CANCELLED if cancel else TreatmentSession.Status.SUSPENDED
    count = case.sessions.filter(status__in=WAITING).update(status=status)
    hooks.sessions_suspended(case, why)
    if count:
        audit_case(
            action="session.suspend_all",
            actor_label="system",
            case=case,
            data={"count": count, "status": status, "why": why},
        )
    return count


def sessions_resume(*, case: Case) -> int:
    """Back in active treatment: suspended sessions of the plan in force that are still due
    come back (with their follow-ups); the ones whose day has passed are cancelled."""
    plan = gates.plan_in_force(case)
    suspended = case.sessions.filter(status=TreatmentSession.Status.SUSPENDED)
    if plan is None:
        return 0
    due = suspended.filter(plan=plan, scheduled_for__gte=timezone.localdate())
    restored = due.update(status=TreatmentSession.Status.SCHEDULED)
    suspended.update(status=TreatmentSession.Status.CANCELLED)
    hooks.sessions_resumed(plan)
    audit_case(
        action="session.resume_all", actor_label="system", case=case, data={"restored": restored}
    )
    return restored


@dataclass(frozen=True)
class PreDose:
    """The pre-dose vitals and the short checklist asked at every session."""

    pre_systolic: int
    pre_diastolic: int
    pre_heart_rate: int
    pre_spo2: int
    escort_confirmed: bool
    last_meal_at: datetime | None = None
    new_medications: str = ""
    pregnancy_status: str = ""


@dataclass(frozen=True)
class DosingRecord:
    dosing_started_at: datetime
    dose_given_mg: Decimal
    lot_number: str
    device_count: int | None = None


class GateRefused(TransitionRefused):
    """A treatment gate does not hold; `details["missing"]` lists what is needed."""

    code = "gate_refused"


def _lock_case(case: Case) -> Case:
    """The case's row lock: every gate is checked against the case as it is now."""
    locked: Case = (
        Case.objects.select_for_update(of=("self",)).select_related("patient").get(pk=case.pk)
    )
    return locked


def _open_session(session_id: int, case: Case, actor: User) -> TreatmentSession:
    if not actor.has_perm("planning.record_session"):
        raise AccessDenied("Only clinicians and physicians record sessions.")
    session = (
        TreatmentSession.objects.select_for_update()
        .select_related("plan__protocol", "case")
        .filter(pk=session_id, case=case)
        .first()
    )
    if session is None:
        raise ValidationFailed({"session": "No such session on this case."})
    if session.status == TreatmentSession.Status.SUSPENDED:
        raise GateRefused(
            f"This session is suspended: the case is not in active treatment (it is "
            f"{state_label(case.state)}).",
            details={"missing": ["the case in active treatment"]},
        )
    if session.status != TreatmentSession.Status.SCHEDULED:
        raise ValidationFailed(
            {
                "session": f"This session is {session.get_status_display().lower()}: it "
                "is a record and cannot change."
            }
        )
    return session


def _refuse(what: str, problems: list[str]) -> None:
    if problems:
        raise GateRefused(gates.refusal(what, problems), details={"missing": problems})


def session_predose_record(
    *, case: Case, session_id: int, actor: User, data: PreDose
) -> TreatmentSession:
    """Record the pre-dose vitals and checklist. A finding for the physician (pregnancy status
    pregnant, breastfeeding or unknown; a new medication hitting an interaction rule) raises a
    safety alert, which holds the dose until a physician decides."""
    if intake_rules.pregnancy_applies(case) and data.pregnancy_status not in PregnancyStatus.values:
        raise ValidationFailed({"pregnancy_status": "Record the pregnancy status."})
    with transaction.atomic():
        locked = _lock_case(case)
        session = _open_session(session_id, locked, actor)
        _refuse(
            "Recording the pre-dose checklist",
            gates.session_problems(locked, session, gates.treatment_basis(locked)),
        )
        if session.dose_given_mg is not None:
            raise ValidationFailed({"session": "The dose is recorded; the checklist is closed."})
        for name in ("pre_systolic", "pre_diastolic", "pre_heart_rate", "pre_spo2"):
            setattr(session, name, getattr(data, name))
        session.predose_escort_confirmed = data.escort_confirmed
        session.last_meal_at = data.last_meal_at
        session.new_medications = data.new_medications.strip()
        session.pregnancy_status = data.pregnancy_status
        session.predose_recorded_at, session.predose_recorded_by = timezone.now(), actor
        session.save()
        _audit(
            "session.predose",
            actor,
            session,
            bp=f"{data.pre_systolic}/{data.pre_diastolic}",
            escort=data.escort_confirmed,
            pregnancy=data.pregnancy_status,
        )
        _raise_checklist_findings(locked, session, actor)
    return session


def _raise_checklist_findings(case: Case, session: TreatmentSession, actor: User) -> None:
    from planning.intake.services import alert_raise, medication_add

    before = {(f.rule_code, f.generic) for f in intake_rules.unacknowledged_flags(case)}
    for line in session.new_medications.splitlines():
        if line.strip():
            medication_add(
                case=case,
                actor=actor,
                name=line.strip()[:200],
                dose="",
                frequency="",
                kind=MedicationKind.MEDICATION,
            )
    for flag in intake_rules.unacknowledged_flags(case):
        if (flag.rule_code, flag.generic) not in before:
            alert_raise(
                case=case,
                actor=actor,
                message=(
                    f"Session {session.number}: new medication {flag.medication} hits interaction "
                    f"rule {flag.rule_code} ({flag.severity}): {flag.note}"
                ),
            )
    if session.pregnancy_status in PREGNANCY_FINDINGS:
        label = PregnancyStatus(session.pregnancy_status).label
        alert_raise(
            case=case,
            actor=actor,
            message=(f"Session {session.number}: pregnancy status “{label}” before dosing"),
        )


CLEARANCE_MEANING = "cleared dosing above the blood-pressure limits"
DEVIATION_MEANING = "decided a dose other than the approved plan's"

PREGNANCY_FINDINGS = frozenset(
    {PregnancyStatus.PREGNANT, PregnancyStatus.BREASTFEEDING, PregnancyStatus.UNKNOWN}
)


def session_bp_clearance(
    *, case: Case, session_id: int, actor: User, reason: str, signature: ESignature
) -> TreatmentSession:
    """A physician clears dosing despite pre-dose vitals above the clinic's limits; the
    clearance is bound to the pressure it cleared (new vitals need a new clearance)."""
    _require_physician_reason(actor, reason, "clear dosing above the blood-pressure limits")
    with signing(signature, actor=actor, case=case, meaning=CLEARANCE_MEANING) as locked:
        session = _open_session(session_id, locked, actor)
        if not gates.vitals_above_limits(session, ClinicSettings.current()):
            raise ValidationFailed({"reason": "The pre-dose vitals are within the limits."})
        session.bp_clearance_for = f"{session.pre_systolic}/{session.pre_diastolic}"
        session.bp_clearance_reason, session.bp_clearance_by = reason.strip(), actor
        session.bp_clearance_at = timezone.now()
        session.save()
        _audit(
            "session.bp_clearance",
            actor,
            session,
            bp=session.bp_clearance_for,
            reason=session.bp_clearance_reason,
        )
    return session


def session_deviation_record(
    *,
    case: Case,
    session_id: int,
    actor: User,
    dose_mg: Decimal,
    reason: str,
    signature: ESignature,
) -> TreatmentSession:
    """A physician's decision to give a dose other than the approved plan's, with the reason;
    printed on the session record and the REMS form."""
    _require_physician_reason(actor, reason, "record a dose deviation")
    with signing(signature, actor=actor, case=case, meaning=DEVIATION_MEANING) as locked:
        session = _open_session(session_id, locked, actor)
        if not gates.dose_deviates(session.plan.dose_mg, dose_mg, ClinicSettings.current()):
            raise ValidationFailed({"dose_mg": "This dose is within the plan's tolerance."})
        session.deviation_dose_mg, session.deviation_reason = dose_mg, reason.strip()
        session.deviation_by, session.deviation_at = actor, timezone.now()
        session.save()
        _audit(
            "session.deviation",
            actor,
            session,
            dose_mg=str(dose_mg),
            planned_mg=str(session.plan.dose_mg),
            reason=session.deviation_reason,
        )
    return session


def _require_physician_reason(actor: User, reason: str, what: str) -> None:
    if not actor.has_perm("planning.approve_plan"):
        raise AccessDenied(f"Only a physician may {what}.")
    if not reason.strip():
        raise ValidationFailed({"reason": "Please write the reason."})


def session_record_dosing(
    *, case: Case, session_id: int, actor: User, data: DosingRecord
) -> TreatmentSession:
    """Record the dose, only when every gate holds (gates.dose_problems), under the row lock."""
    with transaction.atomic():
        locked = _lock_case(case)
        session = _open_session(session_id, locked, actor)
        if session.dose_given_mg is not None:
            raise ValidationFailed({"session": "The dose of this session is already recorded."})
        if session.plan.route == Route.INTRANASAL_ESKETAMINE and not data.device_count:
            raise ValidationFailed({"device_count": "Record how many devices were used."})
        basis, problems = gates.dose_problems(locked, session, data.dose_given_mg)
        _refuse("Recording the dose", problems)
        for name, value in vars(data).items():
            setattr(session, name, value)
        session.consent_signature = basis.signature
        session.save()
        _audit(
            "session.dosing",
            actor,
            session,
            dose_mg=str(data.dose_given_mg),
            lot=data.lot_number,
            plan=session.plan_id,
            consent_signature=session.consent_signature_id,
        )
    return session


def session_vitals_add(
    *,
    case: Case,
    session_id: int,
    actor: User,
    minute: int,
    systolic_bp: int,
    diastolic_bp: int,
    heart_rate: int,
    spo2_percent: int | None = None,
) -> VitalSignReading:
    with transaction.atomic():
        session = _open_session(session_id, case, actor)
        reading = VitalSignReading.objects.create(
            session=session,
            minute=minute,
            systolic_bp=systolic_bp,
            diastolic_bp=diastolic_bp,
            heart_rate=heart_rate,
            spo2_percent=spo2_percent,
            recorded_by=actor,
        )
        _audit(
            "session.vitals",
            actor,
            session,
            minute=minute,
            bp=f"{systolic_bp}/{diastolic_bp}",
            hr=heart_rate,
        )
    return reading


def session_monitoring(
    *,
    case: Case,
    session_id: int,
    actor: User,
    moaas: int,
    cadss: dict[str, int],
    adverse_events: str = "",
    respiratory_depression: bool = False,
    serious_adverse_event: bool = False,
) -> TreatmentSession:
    errors = {}
    if not 0 <= moaas <= 5:
        errors["moaas"] = "MOAA/S is scored 0 to 5."
    if set(cadss) != set(CADSS_ITEMS) or any(not 0 <= v <= 4 for v in cadss.values()):
        errors["cadss"] = "Score each of the six CADSS items from 0 to 4."
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        session = _open_session(session_id, case, actor)
        session.moaas, session.cadss = moaas, cadss
        session.adverse_events = adverse_events.strip()
        session.respiratory_depression = respiratory_depression
        session.serious_adverse_event = serious_adverse_event
        session.save()
        _audit("session.monitoring", actor, session, moaas=moaas, cadss_total=sum(cadss.values()))
    return session


def session_physician_note(
    *, case: Case, session_id: int, actor: User, note: str
) -> TreatmentSession:
    if not actor.has_perm("planning.write_physician_note"):
        raise AccessDenied("Only a physician may write the discharge note.")
    if not note.strip():
        raise ValidationFailed({"note": "The note cannot be empty."})
    with transaction.atomic():
        session = _open_session(session_id, case, actor)
        session.physician_note, session.physician_note_by = note.strip(), actor
        session.save()
        _audit("session.physician_note", actor, session, note=session.physician_note)
    return session


@dataclass(frozen=True)
class Discharge:
    """The discharge as recorded at discharge, including the vitals measured then."""

    discharged_at: datetime
    discharge_systolic: int
    discharge_diastolic: int
    discharge_heart_rate: int
    vitals_acceptable: bool
    alert: bool
    escort_confirmed: bool
    ready_to_leave_at: datetime | None = None


def discharge_concerns(session: TreatmentSession, discharge: Discharge) -> list[str]:
    """What makes this discharge need a physician's note (empty: a routine discharge)."""
    concerns = []
    if session.dosing_started_at is None:
        return ["no dosing start time was recorded"]
    minutes = (discharge.discharged_at - session.dosing_started_at).total_seconds() / 60
    minimum = session.plan.protocol_snapshot.get(
        "minimum_observation_minutes", session.plan.protocol.minimum_observation_minutes
    )
    if minutes < minimum:
        concerns.append(
            f"discharge after {int(minutes)} minutes, before the protocol's "
            f"{minimum} minutes of observation"
        )
    clinic = ClinicSettings.current()
    if not session.vitals.exists():
        concerns.append("no blood pressure was recorded after dosing")
    systolic, diastolic = discharge.discharge_systolic, discharge.discharge_diastolic
    if systolic > clinic.bp_systolic_max or diastolic > clinic.bp_diastolic_max:
        concerns.append(
            f"the discharge blood pressure {systolic}/{diastolic} is above "
            f"the clinic threshold {clinic.bp_systolic_max}/{clinic.bp_diastolic_max}"
        )
    for ok, what in (
        (discharge.vitals_acceptable, "vitals not acceptable"),
        (discharge.alert, "patient not alert"),
        (discharge.escort_confirmed, "no escort confirmed"),
    ):
        if not ok:
            concerns.append(what)
    return concerns


def session_sign_off(
    *, case: Case, session_id: int, actor: User, discharge: Discharge
) -> TreatmentSession:
    """Discharge and sign the session off; refused with the reasons until it is complete.
    The treatment basis (active case, current consent, plan in force, this plan's session)
    must still hold."""
    with transaction.atomic():
        locked = _lock_case(case)
        session = _open_session(session_id, locked, actor)
        basis = gates.treatment_basis(locked)
        _refuse("Signing off the session", gates.session_problems(locked, session, basis))
        if session.dose_given_mg is None or session.moaas is None:
            raise ValidationFailed(
                {
                    "session": "Record the dose and the sedation and "
                    "dissociation scores before signing off."
                }
            )
        concerns = discharge_concerns(session, discharge)
        if concerns and not session.physician_note:
            raise ValidationFailed(
                {
                    "physician_note": "A physician's note is needed first: "
                    + "; ".join(concerns)
                    + "."
                }
            )
        session.discharged_at = discharge.discharged_at
        session.discharge_systolic = discharge.discharge_systolic
        session.discharge_diastolic = discharge.discharge_diastolic
        session.discharge_heart_rate = discharge.discharge_heart_rate
        session.ready_to_leave_at = discharge.ready_to_leave_at
        session.discharge_vitals_acceptable = discharge.vitals_acceptable
        session.discharge_alert = discharge.alert
        session.escort_confirmed = discharge.escort_confirmed
        session.status = TreatmentSession.Status.SIGNED_OFF
        session.signed_off_by, session.signed_off_at = actor, timezone.now()
        if session.plan.route == Route.INTRANASAL_ESKETAMINE and session.dosing_started_at:
            session.rems_due_at = session.dosing_started_at + timedelta(days=REMS_DAYS)
        session.save()
        hooks.session_signed_off(session, actor)
        _audit("session.sign_off", actor, session, concerns=concerns)
        if session.rems_due_at is not None:
            transaction.on_commit(lambda: _queue_rems_form(session.pk))
    return session


def _queue_rems_form(session_id: int) -> None:
    from planning.treatment.tasks import rems_form_make  # tasks sit above services

    rems_form_make.delay(session_id)


def rems_mark_submitted(*, case: Case, session_id: int, actor: User) -> TreatmentSession:
    if not actor.has_perm("planning.record_session"):
        raise AccessDenied("Only clinicians and physicians submit monitoring forms.")
    with transaction.atomic():
        session = (
            TreatmentSession.objects.select_for_update()
            .filter(pk=session_id, case=case, rems_due_at__isnull=False)
            .first()
        )
        if session is None:
            raise ValidationFailed({"session": "This session has no REMS form."})
        if session.rems_submitted_at is None:
            session.rems_submitted_at, session.rems_submitted_by = timezone.now(), actor
            session.save(update_fields=["rems_submitted_at", "rems_submitted_by"])
            hooks.rems_submitted(session, actor)
            _audit("session.rems_submitted", actor, session)
    return session


def treatment_complete_early(*, case: Case, actor: User, reason: str) -> Case:
    if not actor.has_perm("planning.end_treatment_early"):
        raise AccessDenied("Only a physician may end treatment early.")
    if not reason.strip():
        raise ValidationFailed({"reason": "Please give the reason for ending early."})
    with transaction.atomic():
        EarlyCompletion.objects.get_or_create(
            case=case, defaults={"reason": reason.strip(), "physician": actor}
        )
        return case_transition(
            case_id=case.pk, transition="complete_treatment", actor=actor, reason=reason
        )


def treatment_guard(case: Case) -> list[str]:
    plan = case.plans.filter(status=DosingPlan.Status.APPROVED).order_by("-version").first()
    if plan is None:
        return ["an approved plan"]
    done = case.sessions.filter(status=TreatmentSession.Status.SIGNED_OFF).count()
    if done >= plan.sessions or EarlyCompletion.objects.filter(case=case).exists():
        return []
    return [
        f"all {plan.sessions} planned sessions signed off ({done} so far), or a "
        "physician's decision to end early with a reason"
    ]


register_guard("complete_treatment", treatment_guard)
