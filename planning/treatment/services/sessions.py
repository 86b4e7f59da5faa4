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

from core.errors import AccessDenied, ValidationFailed
from core.models import ClinicSettings, User
from planning.followups.models import FollowUp, FollowUpStatus
from planning.followups.services import followup_rems
from planning.pathway.audit import audit_case
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.workflow import register_guard
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
    case.sessions.filter(status=TreatmentSession.Status.SCHEDULED).update(
        status=TreatmentSession.Status.CANCELLED
    )
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


@dataclass(frozen=True)
class DosingRecord:
    pre_systolic: int
    pre_diastolic: int
    pre_heart_rate: int
    pre_spo2: int
    dosing_started_at: datetime
    dose_given_mg: Decimal
    lot_number: str
    device_count: int | None = None


def _open_session(session_id: int, case: Case, actor: User) -> TreatmentSession:
    if not actor.has_perm("planning.record_intake"):
        raise AccessDenied("Only clinicians and physicians record sessions.")
    session = (
        TreatmentSession.objects.select_for_update()
        .select_related("plan__protocol", "case")
        .filter(pk=session_id, case=case)
        .first()
    )
    if session is None:
        raise ValidationFailed({"session": "No such session on this case."})
    if session.status != TreatmentSession.Status.SCHEDULED:
        raise ValidationFailed(
            {
                "session": "This session is signed off or cancelled: it is a "
                "record and cannot change."
            }
        )
    return session


def session_record_dosing(
    *, case: Case, session_id: int, actor: User, data: DosingRecord
) -> TreatmentSession:
    with transaction.atomic():
        session = _open_session(session_id, case, actor)
        if session.plan.route == Route.INTRANASAL_ESKETAMINE and not data.device_count:
            raise ValidationFailed({"device_count": "Record how many devices were used."})
        for name, value in vars(data).items():
            setattr(session, name, value)
        session.save()
        _audit(
            "session.dosing", actor, session, dose_mg=str(data.dose_given_mg), lot=data.lot_number
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
    if not actor.has_perm("planning.approve_plan"):
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
    discharged_at: datetime
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
    last = session.vitals.order_by("-minute", "-pk").first()
    clinic = ClinicSettings.current()
    if last is None:
        concerns.append("no blood pressure was recorded after dosing")
    elif last.systolic_bp > clinic.bp_systolic_max or last.diastolic_bp > clinic.bp_diastolic_max:
        concerns.append(
            f"the last blood pressure {last.systolic_bp}/{last.diastolic_bp} is above "
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
    """Discharge and sign the session off; refused with the reasons until it is complete."""
    with transaction.atomic():
        session = _open_session(session_id, case, actor)
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
        session.ready_to_leave_at = discharge.ready_to_leave_at
        session.discharge_vitals_acceptable = discharge.vitals_acceptable
        session.discharge_alert = discharge.alert
        session.escort_confirmed = discharge.escort_confirmed
        session.status = TreatmentSession.Status.SIGNED_OFF
        session.signed_off_by, session.signed_off_at = actor, timezone.now()
        if session.plan.route == Route.INTRANASAL_ESKETAMINE and session.dosing_started_at:
            session.rems_due_at = session.dosing_started_at + timedelta(days=REMS_DAYS)
        session.save()
        followup_rems(session=session)
        _audit("session.sign_off", actor, session, concerns=concerns)
        if session.rems_due_at is not None:
            transaction.on_commit(lambda: _queue_rems_form(session.pk))
    return session


def _queue_rems_form(session_id: int) -> None:
    from planning.treatment.tasks import rems_form_make  # tasks sit above services

    rems_form_make.delay(session_id)


def rems_mark_submitted(*, case: Case, session_id: int, actor: User) -> TreatmentSession:
    if not actor.has_perm("planning.record_intake"):
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
            FollowUp.objects.filter(key=f"session:{session.pk}:rems_form").exclude(
                status=FollowUpStatus.COMPLETED
            ).update(
                status=FollowUpStatus.COMPLETED, completed_at=timezone.now(), completed_by=actor
            )
            _audit("session.rems_submitted", actor, session)
    return session


def treatment_complete_early(*, case: Case, actor: User, reason: str) -> Case:
    if not actor.has_perm("planning.approve_plan"):
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
