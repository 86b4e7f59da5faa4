"""Reads for the follow-up panel and the board's list of follow-ups due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Window

from planning.pathway.formats import ShortDates, UrlPattern
from planning.pathway.models import Case


def followups_for_case(case: Case) -> list[Any]:
    return list(case.followups.select_related("completed_by", "response").order_by("due_at")[:200])


@dataclass(frozen=True)
class DueTask:
    """A line of the board's follow-ups card, its strings ready to show."""

    case_id: int
    patient: str
    what: str
    status: str
    due_at: datetime
    due: str  # as `due_at|date:"j M H:i"`
    url: str


def line_labels() -> tuple[dict[str, str], dict[str, str]]:
    """Follow-up kinds and (lower-case) statuses by value, translated once for a list of lines
    (`get_kind_display()` / `get_status_display().lower()` read them alike)."""
    from planning.followups.models import FollowUpKind, FollowUpStatus

    kinds = {kind: str(label) for kind, label in FollowUpKind.choices}
    statuses = {status: str(label).lower() for status, label in FollowUpStatus.choices}
    return kinds, statuses


def followups_url() -> UrlPattern:
    """The case page's follow-ups, for a list of lines (reversed once)."""
    return UrlPattern("pathway:case_detail", suffix="#followups")


def staff_tasks_due(cases: QuerySet[Case], *, limit: int = 30) -> dict[str, object]:
    """Open follow-ups already due (staff tasks and unanswered patient reminders), oldest first:
    how many (`count`) and the first `limit` (`items`, `DueTask`s), in one query (the count is
    a window over every matching row, read from the first)."""
    from planning.followups.models import FollowUp, FollowUpStatus

    rows = list(
        FollowUp.objects.filter(
            case__in=cases, status__in=[FollowUpStatus.DUE, FollowUpStatus.REMINDED]
        )
        .annotate(total=Window(Count("pk")))
        .order_by("due_at", "pk")
        .values_list(
            "case_id",
            "case__patient__given_name",
            "case__patient__family_name",
            "title",
            "kind",
            "status",
            "due_at",
            "total",
        )[:limit]
    )
    kinds, statuses = line_labels()
    dates, url = ShortDates(), followups_url()
    items = [
        DueTask(
            case_id,
            f"{given} {family}",  # Patient.full_name
            title or kinds.get(kind, kind),
            statuses.get(status, status.lower()),
            due_at,
            dates.day_time(due_at),
            url(case_id),
        )
        for case_id, given, family, title, kind, status, due_at, _ in rows
    ]
    return {"count": rows[0][-1] if rows else 0, "items": items}


def patient_open_questionnaires(case: Case) -> list[Any]:
    """The questionnaires this case's patient may answer now (due, window still open)."""
    from django.utils import timezone

    from planning.followups.models import PATIENT_KINDS, FollowUp, FollowUpStatus

    now = timezone.now()
    rows = FollowUp.objects.filter(
        case=case,
        kind__in=PATIENT_KINDS,
        status__in=[FollowUpStatus.SCHEDULED, FollowUpStatus.REMINDED],
        due_at__lte=now,
        window_ends_at__gt=now,
    )
    return list(rows.order_by("due_at"))
