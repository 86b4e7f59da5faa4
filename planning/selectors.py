"""Reads for pages and tasks, each costing a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.models import AuditEntry, User
from planning.models import Case
from planning.states import BOARD_ORDER, FINAL_STATES, state_label


@dataclass(frozen=True)
class BoardColumn:
    state: str
    label: str
    count: int
    cases: list[Case]


def case_board(cases: QuerySet[Case], *, per_state: int = 25) -> list[BoardColumn]:
    """Every state with its count, and the longest-waiting cases of each open state.

    One count query plus one bounded query per open state: the cost does not grow with the
    number of cases (see bench/board.py).
    """
    counts = dict(cases.order_by().values_list("state").annotate(n=Count("pk")))
    columns = []
    for state in BOARD_ORDER:
        shown: list[Case] = []
        if state not in FINAL_STATES and counts.get(state):
            in_state = cases.filter(state=state).annotate(
                open_alerts=Count("alerts", filter=Q(alerts__acknowledged_at=None))
            )
            shown = list(in_state.order_by("state_changed_at")[:per_state])
        columns.append(BoardColumn(state, state_label(state), counts.get(state, 0), shown))
    return columns


def case_timeline(case: Case) -> QuerySet[AuditEntry]:
    """The case's events, newest first, without page views (those stay in the full trail)."""
    return (
        AuditEntry.objects.filter(case_id=case.pk)
        .exclude(action="case.view")
        .select_related("actor")
        .order_by("-seq")
    )


def physicians() -> QuerySet[User]:
    return User.objects.filter(groups__name="physician", is_active=True).order_by(
        "last_name", "first_name"
    )


def intake_summary(case: Case) -> dict[str, object]:
    """Everything the intake panel shows, for clinical roles only (fixed number of queries)."""
    from core.models import ClinicSettings
    from planning import intake_rules, workflow

    consultation = intake_rules.latest_consultation(case)
    evaluation = intake_rules.latest_evaluation(case)
    flags = intake_rules.interaction_flags(case)
    acks = {
        (a.rule_code, a.generic): a for a in case.interaction_acks.select_related("acknowledged_by")
    }
    return {
        "consultation": consultation,
        "trd": intake_rules.trd_status(consultation, ClinicSettings.current()),
        "evaluation": evaluation,
        "evaluation_versions": case.evaluations.select_related("recorded_by"),
        "responses": (evaluation.responses.select_related("definition") if evaluation else []),
        "alerts": case.alerts.select_related("acknowledged_by", "response__definition"),
        "findings": intake_rules.contraindication_findings(case, evaluation),
        "overrides": {o.contraindication_id: o for o in case.overrides.select_related("physician")},
        "medications": case.medications.select_related("recorded_by", "stopped_by"),
        "confirmation": case.medication_confirmations.select_related("confirmed_by").first(),
        "flags": [(flag, acks.get((flag.rule_code, flag.generic))) for flag in flags],
        "missing": _missing_for_current_step(case, workflow),
    }


_STEP_OF_STATE = {
    "consultation": "complete_consultation",
    "evaluation": "complete_evaluation",
    "medication_review": "complete_medication_review",
}


def _missing_for_current_step(case: Case, workflow: Any) -> tuple[str, list[str]] | None:
    """What the current intake step still needs, as (step label, items), or None."""
    step = _STEP_OF_STATE.get(case.state)
    if step is None:
        return None
    return (workflow.TRANSITIONS[step].label, workflow.missing_for(case, step))


def plan_initial(case: Case, draft: Any) -> dict[str, object]:
    """The plan form's starting values: the draft's, or the protocol's non-dose defaults.
    The dose is never pre-filled: it is the physician's decision."""
    from planning.models import ClinicProtocol

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
    from planning import intake_rules
    from planning.models import ClinicProtocol

    evaluation = intake_rules.latest_evaluation(case)
    plans = list(case.plans.select_related("approved_by", "created_by").order_by("-version"))
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
    plans = list(case.plans.select_related("approved_by").order_by("-version"))
    sessions = list(case.sessions.exclude(status="cancelled").order_by("number"))
    return {
        "plans": plans,
        "current": next((p for p in plans if p.is_approved), None),
        "draft": next((p for p in plans if not p.is_approved), None),
        "sessions": sessions,
        "done": sum(1 for s in sessions if s.status == "signed_off"),
        "now": timezone.now(),
    }


def rems_form_data(session: Any) -> dict[str, object] | None:
    """The esketamine REMS Patient Monitoring Form fields, assembled from the session."""
    from planning.models.plan import Route

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


def followups_for_case(case: Case) -> list[Any]:
    return list(case.followups.select_related("completed_by", "response").order_by("due_at")[:200])


def staff_tasks_due(cases: QuerySet[Case], *, limit: int = 30) -> dict[str, object]:
    """Open follow-ups already due (staff tasks and unanswered patient reminders), oldest first."""
    from planning.models import FollowUp
    from planning.models.followup import FollowUpStatus

    due = FollowUp.objects.filter(
        case__in=cases,
        status__in=[FollowUpStatus.DUE, FollowUpStatus.REMINDED],
    ).select_related("case__patient")
    return {"count": due.count(), "items": list(due.order_by("due_at")[:limit])}
