"""The case board: one paginated list of cases with who acts next, what is due and badges.

Cost: one query for the page of rows (every fact is an `Exists`/`Subquery` annotation, see
`planning.pathway.waiting`), one for the counts of the open states, plus the filter form's
physician list. Closed cases (completed, withdrawn, ineligible) pile up for ever: they are
neither listed nor counted unless asked for (state "closed" or one closed state), and the open
list reads the partial index `case_open_by_age` (bench/workspace.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Case as CaseWhen
from django.db.models import Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString

from core.forms import PlainSelect
from planning.pathway.formats import ShortDates, UrlPattern
from planning.pathway.formats import escape as _e
from planning.pathway.models import Case
from planning.pathway.selectors import name_word_q, physicians, search_date
from planning.pathway.states import BOARD_ORDER, FINAL_STATES, NON_FINAL_STATES, state_label
from planning.pathway.waiting import (
    DueItem,
    Step,
    Waiting,
    WaitingOn,
    due_items,
    filter_waiting_on,
    next_due_expression,
    overdue_q,
    rules_at,
    waiting_of,
    with_waiting,
)

PER_PAGE = 25
OPEN = "open"
CLOSED = "closed"
# The same list, in the same order, as the partial index's condition (migration 0630).
CLOSED_STATES = sorted(FINAL_STATES)

ALERTS = {
    "safety": ("Open safety alert", Q(open_alerts__gt=0)),
    "override": ("Contraindication overridden", Q(override_count__gt=0)),
    "rems": ("REMS form due", Q(rems_due_at__isnull=False)),
    "link": (
        "Link locked or expired",
        Q(consent_link_blocked=True) | Q(followup_link_blocked=True),
    ),
    "message": ("Message failed", Q(failed_messages__gt=0)),
}

SORTS = {
    "age": ("Longest in this state first", ("state_changed_at", "pk")),
    "recent": ("Most recent change first", ("-state_changed_at", "-pk")),
    "name": ("Patient name", ("patient__family_key", "patient__given_key", "pk")),
    "mrn": ("Record number", ("patient__mrn", "pk")),
    "state": ("State", ("state_rank", "state_changed_at", "pk")),
    "physician": ("Physician", ("physician__last_name", "physician__first_name", "pk")),
    "due": ("Next due first", ("next_due", "state_changed_at", "pk")),
}


# What a row shows of the case, its patient and physician (`row_html`, `row_of`): the rows are
# read without the rest of the three records (a user's password hash among them).
ROW_FIELDS = (
    "state",
    "state_changed_at",
    "patient__given_name",
    "patient__family_name",
    "patient__date_of_birth",
    "patient__mrn",
    "physician__first_name",
    "physician__last_name",
    "physician__username",
)


class PageField(forms.IntegerField):
    """A page number from a link or a hand-edited address: anything that is not a page number
    (``abc``, ``-1``, ``0``, past the last page the board could show) is page 1, not a 400."""

    def clean(self, value: Any) -> int | None:
        try:
            page: int | None = super().clean(value)
        except forms.ValidationError:
            return None
        return page


def _state_choices() -> list[tuple[str, str]]:
    return [
        (OPEN, "All open cases"),
        *[(s, state_label(s)) for s in BOARD_ORDER],
        (CLOSED, "All closed cases"),
    ]


class BoardFilterForm(forms.Form):
    """The board's GET form: every field optional, a bad value is a 400 with its message."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Name, record number or date of birth (YYYY-MM-DD or DD/MM/YYYY).",
    )
    state = forms.ChoiceField(
        label="State", required=False, choices=_state_choices, widget=PlainSelect
    )
    physician = forms.ChoiceField(label="Physician", required=False, widget=PlainSelect)
    waiting = forms.ChoiceField(
        label="Waiting on",
        required=False,
        widget=PlainSelect,
        choices=[("", "Anyone"), *[c for c in WaitingOn.choices if c[0] != WaitingOn.NOBODY]],
    )
    alert = forms.ChoiceField(
        label="Badge",
        required=False,
        widget=PlainSelect,
        choices=[("", "Any"), *[(k, label) for k, (label, _) in ALERTS.items()]],
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        widget=PlainSelect,
        choices=[(k, label) for k, (label, _) in SORTS.items()],
    )
    page = PageField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["physician"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = physician_choices()  # one query


@dataclass(frozen=True)
class BoardRow:
    case: Case
    waiting: Waiting
    days_in_state: int
    due: list[DueItem]
    badges: list[str]

    @property
    def next_due(self) -> DueItem | None:
        return self.due[0] if self.due else None


# One board row. Every value goes through `_e` (the patient's name and record number are typed
# by staff): the markup the template used to hold, filled by plain string formatting, which
# costs a tenth of format_html's lazy-aware escaping per value.
ROW_HTML = """<tr data-testid="board-row" data-case="{pk}">
  <td><a href="{url}">{name}</a><div class="muted">born {born}</div></td>
  <td class="nowrap" data-testid="mrn">{mrn}</td>
  <td>{state}</td>
  <td data-testid="days-in-state">{days}</td>
  <td>{physician}</td>
  <td data-testid="waiting"><strong>{who}</strong>{step}</td>
  <td data-testid="next-due">{due}</td>
  <td>{badges}</td>
</tr>"""


def _due_html(due: DueItem | None, dates: ShortDates) -> str:
    if due is None:
        return "—"
    text = f"{_e(due.label)} {_e(dates.day(due.due))}"
    if not due.overdue_days:
        return text
    days = f"{due.overdue_days} day{'' if due.overdue_days == 1 else 's'}"
    return f'{text} <span class="badge danger" data-testid="overdue">{days} overdue</span>'


def _badges_html(row: BoardRow) -> str:
    """The first badge is the safety alert's (danger) when the case has one."""
    alert = bool(getattr(row.case, "open_alerts", 0))  # a fact (waiting.FACTS)
    return "".join(
        f'<span class="badge danger" data-testid="alert-badge">{_e(badge)}</span> '
        if i == 0 and alert
        else f'<span class="badge warn">{_e(badge)}</span> '
        for i, badge in enumerate(row.badges)
    )


def rows_html(rows: list[BoardRow]) -> list[SafeString]:
    """Each row's `<tr>` (the case page's URL reversed once for the page, not once a row)."""
    url, dates = UrlPattern("pathway:case_detail"), ShortDates()
    return [row_html(row, url(row.case.pk), dates) for row in rows]


def row_html(row: BoardRow, url: str, dates: ShortDates) -> SafeString:
    case, patient, waiting = row.case, row.case.patient, row.waiting
    physician = (case.physician.display_name if case.physician else "") or "—"
    return SafeString(
        ROW_HTML.format(
            pk=case.pk,
            url=_e(url),
            name=_e(patient.full_name),
            born=_e(dates.day(patient.date_of_birth)),
            mrn=_e(patient.mrn),
            state=_e(state_label(case.state)),
            days=row.days_in_state,
            physician=_e(physician),
            who=_e(waiting.who_label),
            step=f'<div class="muted">{_e(waiting.label)}</div>' if waiting.label else "",
            due=_due_html(row.next_due, dates),
            badges=_badges_html(row),
        )
    )


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    page: int
    has_next: bool
    counts: list[tuple[str, str, int]]

    @property
    def rows_html(self) -> list[SafeString]:
        """The rows' markup, built in Python (`row_html`): a page of rows read through template
        lookups, filters and `{% url %}` cost more than the page's query (bench/workspace.py)."""
        return rows_html(self.rows)


def search_q(text: str) -> Q:
    """A date searches dates of birth; otherwise every word must match the name (accents and
    case aside) or the record number (prefix, case-insensitive)."""
    text = text.strip()
    born = search_date(text)
    if born is not None:
        return Q(patient__date_of_birth=born)
    query = Q()
    for word in re.split(r"\s+", text):
        query &= name_word_q(word, prefix="patient__")
    return query


def _scope(cases: QuerySet[Case], state: str) -> QuerySet[Case]:
    if state in ("", OPEN):
        return cases.exclude(state__in=CLOSED_STATES)
    if state == CLOSED:
        return cases.filter(state__in=CLOSED_STATES)
    return cases.filter(state=state)


def board_queryset(
    cases: QuerySet[Case], data: dict[str, Any], now: datetime, *, precompiled: bool = True
) -> QuerySet[Case]:
    """`data` is a valid BoardFilterForm's cleaned_data. `precompiled`: the facts' SQL compiled
    once per process (planning.pathway.precompiled), the same query as without."""
    scoped = _scope(cases, data.get("state") or "").only(*ROW_FIELDS)
    if data.get("q"):
        scoped = scoped.filter(search_q(data["q"]))
    if data.get("physician") == "none":
        scoped = scoped.filter(physician=None)
    elif data.get("physician"):
        scoped = scoped.filter(physician_id=int(data["physician"]))
    annotated = with_waiting(scoped, now=now, precompiled=precompiled)
    if data.get("waiting"):
        state = data.get("state") or ""
        states = {state} if state not in ("", OPEN, CLOSED) else None
        annotated = filter_waiting_on(
            annotated, data["waiting"], now=now, states=states, precompiled=precompiled
        )
    if data.get("alert"):
        annotated = annotated.filter(ALERTS[data["alert"]][1])
    if data.get("overdue"):
        annotated = annotated.filter(overdue_q(now))
    sort = data.get("sort") or "age"
    if sort == "state":
        rank = [When(state=s, then=Value(i)) for i, s in enumerate(BOARD_ORDER)]
        annotated = annotated.annotate(state_rank=CaseWhen(*rank, default=Value(99)))
    if sort == "due":
        annotated = annotated.annotate(next_due=next_due_expression())
    return annotated.order_by(*SORTS[sort][1])


def _badges(case: Any, now: datetime) -> list[str]:
    badges = []
    if case.open_alerts:
        raised = timezone.localtime(case.first_alert_at).strftime("%-d %b %H:%M")
        plural = "s" if case.open_alerts > 1 else ""
        badges.append(f"{case.open_alerts} open safety alert{plural}, raised {raised}")
    if case.override_count:
        badges.append("Contraindication overridden")
    if case.rems_due_at is not None and case.rems_due_at <= now + timedelta(days=7):
        badges.append("REMS form due")
    if case.consent_link_blocked or case.followup_link_blocked:
        badges.append("Link locked or expired")
    if case.failed_messages:
        badges.append(
            f"{case.failed_messages} message{'s' if case.failed_messages > 1 else ''} failed"
        )
    return badges


def row_of(case: Any, now: datetime, rules: list[tuple[Q, Step]] | None = None) -> BoardRow:
    days = (timezone.localdate(now) - timezone.localdate(case.state_changed_at)).days
    return BoardRow(
        case,
        waiting_of(case, now=now, rules=rules),
        max(days, 0),
        due_items(case, now=now),
        _badges(case, now),
    )


def open_state_counts(cases: QuerySet[Case]) -> list[tuple[str, str, int]]:
    """The open states' counts (one query over open cases only; closed ones are not counted)."""
    counts = dict(
        cases.exclude(state__in=CLOSED_STATES)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return [(s, state_label(s), counts.get(s, 0)) for s in NON_FINAL_STATES]


def board_page(
    cases: QuerySet[Case], data: dict[str, Any], *, now: datetime | None = None
) -> BoardPage:
    """One page of rows (PER_PAGE, one query; no total count: "next" is known from one extra
    row) and the open states' counts."""
    now = now or timezone.now()
    page = data.get("page") or 1
    start = (page - 1) * PER_PAGE
    rows = list(board_queryset(cases, data, now)[start : start + PER_PAGE + 1])
    rules = rules_at(now)
    return BoardPage(
        rows=[row_of(case, now, rules) for case in rows[:PER_PAGE]],
        page=page,
        has_next=len(rows) > PER_PAGE,
        counts=open_state_counts(cases),
    )


def physician_choices() -> list[tuple[str, str]]:
    return [("", "Any"), ("none", "Not assigned")] + [
        (str(u.pk), u.display_name) for u in physicians()
    ]
