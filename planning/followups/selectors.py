"""Reads for the follow-up panel and the board's list of follow-ups due."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from planning.pathway.models import Case


def followups_for_case(case: Case) -> list[Any]:
    return list(case.followups.select_related("completed_by", "response").order_by("due_at")[:200])


def staff_tasks_due(cases: QuerySet[Case], *, limit: int = 30) -> dict[str, object]:
    """Open follow-ups already due (staff tasks and unanswered patient reminders), oldest first."""
    from planning.followups.models import FollowUp, FollowUpStatus

    due = FollowUp.objects.filter(
        case__in=cases,
        status__in=[FollowUpStatus.DUE, FollowUpStatus.REMINDED],
    ).select_related("case__patient")
    return {"count": due.count(), "items": list(due.order_by("due_at")[:limit])}


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
