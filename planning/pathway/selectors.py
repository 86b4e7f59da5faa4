"""Reads for pages and tasks, each costing a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Min, Q, QuerySet

from core.access import read_audit_actions
from core.dates import DATE_INPUT_FORMATS
from core.models import AuditEntry, Patient, User, name_key
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


def patients_like(given_name: str, family_name: str, date_of_birth: date) -> list[Patient]:
    """Patients registered with this name (any case, any accents: `name_key`) and date of
    birth: maybe the same person."""
    return list(
        Patient.objects.filter(
            given_key=name_key(given_name),
            family_key=name_key(family_name),
            date_of_birth=date_of_birth,
        ).order_by("pk")[:5]
    )


def name_word_q(word: str, prefix: str = "") -> Q:
    """One searched word: within a given or family name, accents and case aside
    (`name_key`), or the start of the record number. `prefix`: the path to the patient."""
    key = name_key(word)
    return (
        Q(**{f"{prefix}given_key__contains": key})
        | Q(**{f"{prefix}family_key__contains": key})
        | Q(**{f"{prefix}mrn__istartswith": word})
    )


def search_date(text: str) -> date | None:
    """`text` as a date (YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY), or None."""
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def patient_search(query: str, *, limit: int = 10) -> list[Patient]:
    """The patient picker: every word must match a name or the record number; a date
    (`search_date`, as on the board) matches the date of birth. One query; at most `limit`
    rows."""
    words = query.split()[:5]
    if not words:
        return []
    found = Patient.objects.all()
    for word in words:
        born = search_date(word)
        found = found.filter(name_word_q(word) if born is None else Q(date_of_birth=born))
    return list(found.order_by("family_key", "given_key", "pk")[:limit])


def physicians() -> QuerySet[User]:
    return User.objects.filter(groups__name="physician", is_active=True).order_by(
        "last_name", "first_name"
    )
