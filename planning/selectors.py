"""Reads for pages and tasks, each costing a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

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
        "consultation_versions": case.consultations.select_related("recorded_by"),
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
