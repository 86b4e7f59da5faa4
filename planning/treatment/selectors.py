"""Reads for the plan and session pages, the treatment panel and the REMS form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from planning.pathway.models import Case


def plan_initial(case: Case, draft: Any) -> dict[str, object]:
    """The plan form's starting values: the draft's, or the protocol's non-dose defaults.
    The dose is never pre-filled: it is the physician's decision."""
    from planning.treatment.models import ClinicProtocol

    if draft is not None:
        value = draft.dose_mg_per_kg if draft.dose_mg_per_kg is not None else draft.dose_mg
        return {
            "route": draft.route,
            "dose_value": value,
            "infusion_minutes": draft.infusion_minutes,
            "sessions": draft.sessions,
            "frequency": draft.frequency,
            "start_date": draft.start_date,
            "monitoring_requirements": draft.monitoring_requirements,
            "concurrent_psychotherapy": draft.concurrent_psychotherapy,
            "cost_per_session": draft.cost_per_session_cents / 100,
            "override_reason": draft.override_reason,
        }
    protocol = ClinicProtocol.objects.filter(active=True, route="iv").first()
    if protocol is None:
        return {}
    return {"route": protocol.route, "infusion_minutes": protocol.default_infusion_minutes}


def plan_context(case: Case) -> dict[str, object]:
    from planning.intake import rules as intake_rules
    from planning.treatment.models import ClinicProtocol

    evaluation = intake_rules.latest_evaluation(case)
    plans = _with_records(case.plans.select_related("approved_by", "created_by"))
    return {
        "plans": plans,
        "draft": next((p for p in plans if not p.is_approved), None),
        "protocols": ClinicProtocol.objects.filter(active=True),
        "weight_kg": evaluation.weight_kg if evaluation else None,
        "age": case.patient.age_on(timezone.localdate()),
        "overrides": case.overrides.select_related("contraindication", "physician"),
        "interaction_acks": case.interaction_acks.select_related("acknowledged_by"),
        "open_flags": intake_rules.unacknowledged_flags(case),
    }


def treatment_summary(case: Case) -> dict[str, object]:
    """The plan and sessions panel on the case page."""
    plans = _with_records(case.plans.select_related("approved_by"))
    sessions = list(case.sessions.exclude(status="cancelled").order_by("number"))
    return {
        "plans": plans,
        "current": next((p for p in plans if p.is_approved), None),
        "draft": next((p for p in plans if not p.is_approved), None),
        "sessions": sessions,
        "done": sum(1 for s in sessions if s.status == "signed_off"),
        "now": timezone.now(),
    }


def _with_records(plans: Any) -> list[Any]:
    """The plans, newest first, each with `.sealed`: its sealed record or None (one query; the
    PDF bytes are never read here)."""
    from records.models import RecordKind
    from records.selectors import records_latest_by_owner

    rows = list(plans.order_by("-version"))
    sealed = records_latest_by_owner(RecordKind.PLAN, [p.pk for p in rows])
    for plan in rows:
        plan.sealed = sealed.get(plan.pk)
    return rows


def plan_record(case: Case, plan_id: int) -> Any:
    """The sealed record of one of this case's plans, or None."""
    from records.models import RecordKind
    from records.selectors import record_latest

    if not case.plans.filter(pk=plan_id).exists():
        return None
    return record_latest(RecordKind.PLAN, plan_id)


def rems_record(case: Case, session_id: int) -> Any:
    """The latest sealed REMS form of one of this case's sessions, or None."""
    from records.models import RecordKind
    from records.selectors import record_latest

    if not case.sessions.filter(pk=session_id).exists():
        return None
    return record_latest(RecordKind.REMS, session_id)


def rems_versions(session: Any) -> list[Any]:
    from records.models import RecordKind
    from records.selectors import record_versions

    return record_versions(RecordKind.REMS, session.pk)


def rems_form_data(session: Any) -> dict[str, object] | None:
    """The esketamine REMS Patient Monitoring Form fields, assembled from the session."""
    from planning.treatment.models import Route

    if session.plan.route != Route.INTRANASAL_ESKETAMINE:
        return None
    patient = session.case.patient
    meds = [m.name for m in session.case.medications.filter(stopped_at=None)]
    vitals = list(session.vitals.order_by("minute", "pk"))
    at_40 = next((v for v in vitals if v.minute >= 40), None)
    minutes = (
        int((session.discharged_at - session.dosing_started_at).total_seconds() // 60)
        if session.discharged_at and session.dosing_started_at
        else None
    )
    dose = session.dose_given_mg
    return {
        "patient_name": patient.full_name,
        "sex": patient.get_sex_at_birth_display(),
        "date_of_birth": patient.date_of_birth,
        "first_treatment": session.first_treatment,
        "concomitant_medications": meds,
        "monitoring_provider": session.signed_off_by.display_name if session.signed_off_by else "",
        "treatment_date": session.dosing_started_at,
        "dose": f"{int(dose)} mg" if dose in (Decimal(56), Decimal(84)) else f"other: {dose} mg",
        "lot_number": session.lot_number,
        "devices": session.device_count,
        "total_minutes": minutes,
        "ready_to_leave_at": session.ready_to_leave_at,
        "vitals_ok_before": session.pre_systolic is not None,
        "vitals_ok_discharge": session.discharge_vitals_acceptable,
        "bp_before": f"{session.pre_systolic}/{session.pre_diastolic}"
        if session.pre_systolic
        else "",
        "bp_40": f"{at_40.systolic_bp}/{at_40.diastolic_bp}" if at_40 else "",
        "bp_discharge": f"{vitals[-1].systolic_bp}/{vitals[-1].diastolic_bp}" if vitals else "",
        "sedation": session.moaas,
        "dissociation": session.cadss_total,
        "respiratory_depression": session.respiratory_depression,
        "serious_adverse_event": session.serious_adverse_event,
        "due_at": session.rems_due_at,
        "submitted_at": session.rems_submitted_at,
    }
