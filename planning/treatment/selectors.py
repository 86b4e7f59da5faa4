"""Reads for the plan and session pages, the treatment panel and the REMS form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from planning.pathway.models import Case

if TYPE_CHECKING:
    from planning.pathway.snapshot import CaseSnapshot
    from planning.treatment.models import DosingPlan, TreatmentSession


def plan_initial(case: Case, draft: Any) -> dict[str, object]:
    """The plan form's starting values: the draft's, or the protocol's non-dose defaults.
    The dose is never pre-filled: it is the physician's decision."""
    from planning.treatment.models import ClinicProtocol

    if draft is not None:
        value = draft.dose_mg_per_kg if draft.dose_mg_per_kg is not None else draft.dose_mg
        return {
            "route": draft.route,
            # An amendment shows the previous dose beside the field (plan_context), never in it.
            "dose_value": None if draft.supersedes_id else value,
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
    draft = next((p for p in plans if not p.is_approved), None)
    previous = next((p for p in plans if draft and p.pk == draft.supersedes_id), None)
    return {
        "plans": plans,
        "draft": draft,
        "previous_dose": previous,
        "can_renew": draft is None and plans and case.state == "plan_pending",
        "protocols": ClinicProtocol.objects.filter(active=True),
        "weight_kg": evaluation.weight_kg if evaluation else None,
        "age": case.patient.age_on(timezone.localdate()),
        "overrides": case.overrides.select_related("contraindication", "physician"),
        "interaction_acks": case.interaction_acks.select_related("acknowledged_by"),
        "open_flags": intake_rules.unacknowledged_flags(case),
    }


def plans_of(snapshot: CaseSnapshot) -> list[DosingPlan]:
    """Every plan version, newest first, each with `.sealed` (read once per request)."""
    return snapshot.once(
        "treatment.plans",
        lambda case: _with_records(
            case.plans.select_related("approved_by"), records=snapshot.records()
        ),
    )


def sessions_of(snapshot: CaseSnapshot) -> list[TreatmentSession]:
    """Every session of the case, cancelled ones too, by number, each with `has_vitals`
    (read once per request: the sessions table, the next step and the vitals charts)."""
    from django.db.models import Exists, OuterRef

    from planning.treatment.models import VitalSignReading

    readings = VitalSignReading.objects.filter(session=OuterRef("pk"))
    return snapshot.once(
        "treatment.sessions",
        lambda case: list(
            case.sessions.annotate(has_vitals=Exists(readings)).order_by("number", "pk")
        ),
    )


def treatment_summary(snapshot: CaseSnapshot) -> dict[str, object]:
    """The plan and sessions panel on the case page."""
    plans = plans_of(snapshot)
    sessions = [s for s in sessions_of(snapshot) if s.status != "cancelled"]
    return {
        "plans": plans,
        "current": next((p for p in plans if p.is_approved), None),
        "draft": next((p for p in plans if not p.is_approved), None),
        "sessions": sessions,
        "done": sum(1 for s in sessions if s.status == "signed_off"),
        "now": timezone.now(),
    }


def session_safety(request: Any, case: Case, session: Any) -> dict[str, object]:
    """What the session page shows before the dose: open alerts and every gate not yet held
    (checked against the planned dose; the service checks again, under the lock, at saving)."""
    from core.models import ClinicSettings
    from planning.intake.selectors import open_alerts_context
    from planning.treatment import gates

    clinic = ClinicSettings.current()
    problems: list[str] = []
    if session.status == "scheduled" and session.dose_given_mg is None:
        problems = gates.dose_problems(case, session, session.plan.dose_mg)[1]
    return {
        **open_alerts_context(request, case),
        "gate_problems": problems,
        "clinic": clinic,
        "bp_above_limits": gates.vitals_above_limits(session, clinic),
        "physician_steps": ("clearance", "deviation", "note"),
        "predose_steps": ("predose", "clearance", "deviation", "dosing"),
    }


def _with_records(plans: Any, records: list[Any] | None = None) -> list[Any]:
    """The plans, newest first, each with `.sealed`: its sealed record or None (one query, none
    when the case's `records` were read already; the PDF bytes are never read here)."""
    from records.models import RecordKind
    from records.selectors import latest_of_owners, records_latest_by_owner

    rows = list(plans.order_by("-version"))
    ids = [p.pk for p in rows]
    sealed = (
        records_latest_by_owner(RecordKind.PLAN, ids)
        if records is None
        else latest_of_owners(records, RecordKind.PLAN, ids)
    )
    for plan in rows:
        plan.sealed = sealed.get(plan.pk)
    return rows


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
    """The esketamine REMS Patient Monitoring Form, every statement derived from the record
    (planning/treatment/rems_form.py); None for other routes."""
    from planning.treatment.models import Route
    from planning.treatment.rems_form import rems_content

    if session.plan.route != Route.INTRANASAL_ESKETAMINE:
        return None
    return rems_content(session)


def next_session(case: Case) -> Any:
    """The patient's next scheduled session (today or later), or None."""
    from planning.treatment.models import TreatmentSession

    today = timezone.localdate()
    return (
        case.sessions.filter(status=TreatmentSession.Status.SCHEDULED, scheduled_for__gte=today)
        .order_by("scheduled_for", "number")
        .first()
    )
