"""Follow-ups' facts for the board (staff follow-ups due, patient reminded, questionnaire
links locked or expired) and the queue sections that read them. Wired from
`PlanningConfig.ready`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery

from planning.followups.models import OPEN_STATUSES, PATIENT_KINDS, FollowUp, FollowUpStatus
from planning.followups.selectors import followups_url, line_labels
from planning.pathway import queues, waiting
from planning.pathway.models import Case
from planning.pathway.workspace import blocked_link_q


def _open() -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case_id=OuterRef("pk"), status__in=OPEN_STATUSES).order_by()


def _staff_due_at(now: datetime) -> Any:
    """The earliest open follow-up that staff do (not a patient's questionnaire)."""
    staff = _open().exclude(kind__in=PATIENT_KINDS)
    return Subquery(staff.values("case_id").annotate(t=Min("due_at")).values("t"))


def _patient_reminded(now: datetime) -> Any:
    return Exists(_open().filter(status=FollowUpStatus.REMINDED))


def _link_blocked(now: datetime) -> Any:
    return Exists(_open().filter(blocked_link_q(now, "link__")))


def _followups_due(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    """Open follow-ups already due (staff tasks and unanswered patient reminders)."""
    due = (
        FollowUp.objects.filter(case__in=cases, status__in=OPEN_STATUSES, due_at__lte=now)
        .select_related("case__patient")
        .only(  # what a queue line shows (`queues.item`), not the whole records
            "case_id",
            "title",
            "kind",
            "status",
            "due_at",
            "case__id",
            "case__state",  # django-fsm reads it when the case is built
            "case__patient__given_name",
            "case__patient__family_name",
            "case__patient__mrn",
        )
        .order_by("due_at", "pk")[:limit]
    )
    url = followups_url()
    kinds, statuses = line_labels()
    return [
        queues.item(
            f.case,
            f"{f.title or kinds.get(f.kind, f.kind)} "  # as get_kind_display()
            f"({statuses.get(f.status, f.status.lower())})",
            url(f.case_id),
            when=f.due_at,
            overdue=f.due_at < now,
        )
        for f in due
    ]


def _blocked_links(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    rows = (
        FollowUp.objects.filter(
            blocked_link_q(now, "link__"), case__in=cases, status__in=OPEN_STATUSES
        )
        .select_related("case__patient", "link")
        .order_by("link__expires_at", "pk")[:limit]
    )
    url = followups_url()
    return [
        queues.item(
            f.case,
            f"Questionnaire link {'locked' if f.link and f.link.locked_at else 'expired'}: "
            f"{f.title or f.get_kind_display()}",
            url(f.case_id),
            when=f.due_at,
            overdue=True,
        )
        for f in rows
    ]


def wire() -> None:
    waiting.register_fact("followup_due_at", _staff_due_at)
    waiting.register_fact("patient_reminded", _patient_reminded)
    waiting.register_fact("followup_link_blocked", _link_blocked)
    for section in (
        queues.QueueSection(
            "followups_due", queues.Queue.NURSE, "Follow-ups due", 20, _followups_due
        ),
        queues.QueueSection(
            "followup_links",
            queues.Queue.ADMIN_STAFF,
            "Questionnaire links locked or expired",
            25,
            _blocked_links,
        ),
    ):
        queues.register_section(section)
