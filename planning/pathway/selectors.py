"""Reads for pages and tasks, each costing a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet

from core.access import read_audit_actions
from core.models import AuditEntry, User
from planning.pathway.models import Case
from planning.pathway.states import BOARD_ORDER, FINAL_STATES, state_label


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
            open_alert = Q(alerts__decided_at=None)
            in_state = cases.filter(state=state).annotate(
                open_alerts=Count("alerts", filter=open_alert),
                first_alert_at=Min("alerts__raised_at", filter=open_alert),
            )
            shown = list(in_state.order_by("state_changed_at")[:per_state])
        columns.append(BoardColumn(state, state_label(state), counts.get(state, 0), shown))
    return columns


def case_timeline(case: Case) -> QuerySet[AuditEntry]:
    """The case's events, newest first, without reads: page views and downloads (those stay
    in the full trail)."""
    return (
        AuditEntry.objects.filter(case_id=case.pk)
        .exclude(action__in=read_audit_actions())
        .select_related("actor")
        .order_by("-seq")
    )


def physicians() -> QuerySet[User]:
    return User.objects.filter(groups__name="physician", is_active=True).order_by(
        "last_name", "first_name"
    )
