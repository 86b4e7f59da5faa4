"""Treatment's facts for the board (plan drafted, clearance asked for, next session, REMS form
due) and the queue sections that read them. Wired from `PlanningConfig.ready`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import CharField, Exists, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core.models import ClinicSettings
from planning.pathway import queues, waiting
from planning.pathway.formats import UrlPattern
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.models import DosingPlan, TreatmentSession

Status = TreatmentSession.Status
REMS_SOON = timedelta(days=7)


def clearance_asked_q(clinic: ClinicSettings, prefix: str = "") -> Q:
    """A scheduled session whose recorded pre-dose vitals are above the clinic's limits and not
    yet cleared for these values (the gate in `gates.predose_problems`)."""
    bp = Concat(
        Cast(f"{prefix}pre_systolic", CharField()),
        Value("/"),
        Cast(f"{prefix}pre_diastolic", CharField()),
        output_field=CharField(),
    )
    above = Q(**{f"{prefix}pre_systolic__gt": clinic.predose_systolic_max}) | Q(
        **{f"{prefix}pre_diastolic__gt": clinic.predose_diastolic_max}
    )
    return (
        Q(**{f"{prefix}status": Status.SCHEDULED, f"{prefix}predose_recorded_at__isnull": False})
        & above
        & ~Q(**{f"{prefix}bp_clearance_for": bp})
    )


def _sessions() -> QuerySet[TreatmentSession]:
    return TreatmentSession.objects.filter(case_id=OuterRef("pk")).order_by()


def _plan_drafted(now: datetime) -> Any:
    return Exists(DosingPlan.objects.filter(case_id=OuterRef("pk"), status=DosingPlan.Status.DRAFT))


def _clearance_asked(now: datetime) -> Any:
    return Exists(_sessions().filter(clearance_asked_q(ClinicSettings.current())))


def _clinic_limits() -> tuple[int, int]:
    """What `clearance_asked_q` reads of the clinic (keys the board's compiled SQL)."""
    clinic = ClinicSettings.current()
    return (clinic.predose_systolic_max, clinic.predose_diastolic_max)


def _session_due_on(now: datetime) -> Any:
    scheduled = _sessions().filter(status=Status.SCHEDULED)
    return Subquery(scheduled.values("case_id").annotate(d=Min("scheduled_for")).values("d"))


def _rems_due_at(now: datetime) -> Any:
    open_forms = _sessions().filter(rems_due_at__isnull=False, rems_submitted_at=None)
    return Subquery(open_forms.values("case_id").annotate(t=Min("rems_due_at")).values("t"))


# What a queue line reads of a session, its case and patient (`_session_items`, `queues.item`).
QUEUE_SESSION_FIELDS = (
    "number",
    "case_id",
    "scheduled_for",
    "rems_due_at",
    "rems_submitted_at",
    *queues.ITEM_CASE_FIELDS,
)


def _session_urls() -> UrlPattern:
    """The session page, for a section's lines (reversed once)."""
    return UrlPattern("treatment:session_page", arity=2)


def _plans_to_approve(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    plans = (
        DosingPlan.objects.filter(
            status=DosingPlan.Status.DRAFT, case__in=cases, case__state=CaseState.PLAN_PENDING
        )
        .select_related("case__patient")
        .only(
            "version",
            "route",
            "dose_mg",
            "sessions",
            "created_at",
            "case_id",
            *queues.ITEM_CASE_FIELDS,
        )
        .order_by("created_at", "pk")[:limit]
    )
    url = UrlPattern("treatment:plan_page")
    return [
        queues.item(
            plan.case,
            f"Approve plan version {plan.version}: {plan.get_route_display()}, "
            f"{plan.dose_mg} mg, {plan.sessions} sessions",
            url(plan.case_id),
            when=plan.created_at,
        )
        for plan in plans
    ]


def _plans_to_write(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    """Cases at Plan pending with no draft yet: the physician writes one (the board and the
    Next step say "Write the dosing plan")."""
    drafts = DosingPlan.objects.filter(case=OuterRef("pk"), status=DosingPlan.Status.DRAFT)
    rows = (
        cases.filter(state=CaseState.PLAN_PENDING)
        .exclude(Exists(drafts))
        .select_related(None)
        .select_related("patient")
        .only(
            "state",
            "state_changed_at",
            *(f.removeprefix("case__") for f in queues.ITEM_CASE_FIELDS),
        )
        .order_by("state_changed_at", "pk")[:limit]
    )
    url = UrlPattern("treatment:plan_page")
    return [
        queues.item(case, "Write the dosing plan", url(case.pk), when=case.state_changed_at)
        for case in rows
    ]


def _session_items(rows: Any, what: Any, now: datetime) -> list[queues.QueueItem]:
    url, today = _session_urls(), timezone.localdate(now)
    return [
        queues.item(s.case, what(s), url(s.case_id, s.pk), **_when(s, now, today)) for s in rows
    ]


def _when(session: TreatmentSession, now: datetime, today: date) -> dict[str, Any]:
    if session.rems_due_at is not None and session.rems_submitted_at is None:
        return {"when": session.rems_due_at, "overdue": session.rems_due_at < now}
    return {"when": session.scheduled_for, "overdue": session.scheduled_for < today}


def _clearances(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    rows = (
        TreatmentSession.objects.filter(clearance_asked_q(ClinicSettings.current()), case__in=cases)
        .select_related("case__patient")
        .only("pre_systolic", "pre_diastolic", *QUEUE_SESSION_FIELDS)
        .order_by("scheduled_for", "pk")[:limit]
    )
    return _session_items(
        rows,
        lambda s: (
            f"Session {s.number}: pre-dose blood pressure {s.pre_systolic}/{s.pre_diastolic} "
            "above the clinic's limit, clearance asked for"
        ),
        now,
    )


def _sessions_today(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    """Scheduled sessions for today and any still open from earlier days."""
    rows = (
        TreatmentSession.objects.filter(
            status=Status.SCHEDULED,
            scheduled_for__lte=timezone.localdate(now),
            case__in=cases,
            case__state=CaseState.ACTIVE,
        )
        .select_related("case__patient")
        .only(*QUEUE_SESSION_FIELDS)  # the queue shows a line per session, not the record
        .order_by("scheduled_for", "pk")[:limit]
    )
    return _session_items(rows, lambda s: f"Session {s.number}", now)


def _rems_due(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    rows = (
        TreatmentSession.objects.filter(
            rems_due_at__isnull=False,
            rems_due_at__lte=now + REMS_SOON,
            rems_submitted_at=None,
            case__in=cases,
        )
        .select_related("case__patient")
        .only(*QUEUE_SESSION_FIELDS)
        .order_by("rems_due_at", "pk")[:limit]
    )
    return _session_items(rows, lambda s: f"REMS monitoring form for session {s.number}", now)


def wire() -> None:
    waiting.register_fact("plan_drafted", _plan_drafted)
    waiting.register_fact("clearance_asked", _clearance_asked, inputs=_clinic_limits)
    waiting.register_fact("session_due_on", _session_due_on)
    waiting.register_fact("rems_due_at", _rems_due_at)
    physician, nurse, admin = queues.Queue.PHYSICIAN, queues.Queue.NURSE, queues.Queue.ADMIN_STAFF
    for section in (
        queues.QueueSection("plans", physician, "Plans to approve", 10, _plans_to_approve),
        queues.QueueSection("plans_to_write", physician, "Plans to write", 25, _plans_to_write),
        queues.QueueSection("clearances", physician, "Clearances asked for", 30, _clearances),
        queues.QueueSection("sessions_today", nurse, "Sessions today", 10, _sessions_today),
        queues.QueueSection("rems", admin, "REMS forms due within 7 days", 30, _rems_due),
    ):
        queues.register_section(section)
