"""The pathway's own facts for the board (consent invitations, patient links, failed messages)
and admin staff's queue sections that read them. Wired from `PlanningConfig.ready`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from consent.models import ConsentRequest
from consent.selectors import signatures_awaiting_countersignature
from core.models import MessageStatus, OutboundMessage
from planning.pathway import queues, waiting
from planning.pathway.formats import UrlPattern
from planning.pathway.models import Case
from planning.pathway.states import CaseState


def _pending_requests() -> QuerySet[ConsentRequest]:
    return ConsentRequest.objects.filter(
        case_id=OuterRef("pk"), status=ConsentRequest.Status.PENDING
    )


def blocked_link_q(now: datetime, prefix: str = "") -> Q:
    """A link not revoked that is locked (date of birth) or expired."""
    return Q(**{f"{prefix}revoked_at": None}) & (
        Q(**{f"{prefix}locked_at__isnull": False}) | Q(**{f"{prefix}expires_at__lte": now})
    )


def _consent_requested(now: datetime) -> Any:
    return Exists(_pending_requests())


def _consent_countersign_due(now: datetime) -> Any:
    """A signature whose document needed a witness's or clinician's countersignature and has
    none yet: the consent is not complete and no invitation is due (consent.countersign)."""
    return Exists(signatures_awaiting_countersignature().filter(case_id=OuterRef("pk")))


def _consent_link_blocked(now: datetime) -> Any:
    return Exists(_pending_requests().filter(blocked_link_q(now, "link__")))


def _failed_messages(now: datetime) -> Any:
    failed = (
        OutboundMessage.objects.filter(case_id=OuterRef("pk"), status=MessageStatus.FAILED)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(failed, output_field=IntegerField()), 0)


def _consent_url() -> UrlPattern:
    """The case page's consent card, for a section's lines (reversed once)."""
    return UrlPattern("pathway:case_detail", suffix="#consent-h")


def _lines(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with only what a queue line shows of them and their patients."""
    return (
        cases.select_related(None)
        .select_related("patient")
        .only(
            "state_changed_at",
            *(field.removeprefix("case__") for field in queues.ITEM_CASE_FIELDS),
        )
    )


def _invitations(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    rows = (
        _lines(cases)
        .filter(state=CaseState.CONSENT_PENDING)
        .annotate(
            requested=_consent_requested(now),
            blocked=_consent_link_blocked(now),
            countersign_due=_consent_countersign_due(now),
        )
        .filter(Q(requested=False, countersign_due=False) | Q(blocked=True))
        .order_by("state_changed_at", "pk")[:limit]
    )
    url = _consent_url()
    return [
        queues.item(
            case,
            "Resend the consent invitation: the link is locked or expired"
            if case.blocked
            else "Send the consent invitation",
            url(case.pk),
            when=case.state_changed_at,
        )
        for case in rows
    ]


def _countersignatures(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    rows = (
        _lines(cases)
        .filter(state=CaseState.CONSENT_PENDING)
        .annotate(countersign_due=_consent_countersign_due(now))
        .filter(countersign_due=True)
        .order_by("state_changed_at", "pk")[:limit]
    )
    url = _consent_url()
    return [
        queues.item(
            case,
            "Countersign the signed consent (witness or clinician, in the clinic)",
            url(case.pk),
            when=case.state_changed_at,
        )
        for case in rows
    ]


def _consent_links(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    requests = (
        ConsentRequest.objects.filter(
            blocked_link_q(now, "link__"),
            status=ConsentRequest.Status.PENDING,
            case_id__in=cases.values("pk"),
        )
        .select_related("link", "patient")
        .order_by("link__expires_at", "pk")[:limit]
    )
    items, url = [], _consent_url()
    for request in requests:
        why = "locked after wrong dates of birth" if request.link.locked_at else "expired"
        items.append(
            queues.QueueItem(
                request.case_id,
                request.patient.full_name,
                request.patient.mrn,
                f"Consent link {why}: resend the invitation",
                url(request.case_id),
                when=request.link.locked_at or request.link.expires_at,
                overdue=True,
            )
        )
    return items


def _failed(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    messages = list(
        OutboundMessage.objects.filter(status=MessageStatus.FAILED, case_id__in=cases.values("pk"))
        .only("case_id", "subject", "template", "to", "last_error", "failed_at")
        .order_by("-failed_at", "-pk")[:limit]
    )
    by_id = {c.pk: c for c in _lines(cases).filter(pk__in={m.case_id for m in messages})}
    items, outbox = [], reverse("core:outbox")
    for message in messages:
        case = by_id.get(message.case_id or 0)
        if case is None:
            continue
        items.append(
            queues.item(
                case,
                f"Message “{message.subject or message.template}” to {message.to} failed: "
                f"{message.last_error or 'no reason given'}",
                outbox,
                when=message.failed_at,
                overdue=True,
            )
        )
    return items


def wire() -> None:
    waiting.register_fact("consent_requested", _consent_requested)
    waiting.register_fact("consent_link_blocked", _consent_link_blocked)
    waiting.register_fact("consent_countersign_due", _consent_countersign_due)
    waiting.register_fact("failed_messages", _failed_messages)
    admin = queues.Queue.ADMIN_STAFF
    for section in (
        queues.QueueSection(
            "invitations", admin, "Consent invitations to send or resend", 10, _invitations
        ),
        queues.QueueSection(
            "consent_links", admin, "Consent links locked or expired", 20, _consent_links
        ),
        queues.QueueSection("failed_messages", admin, "Messages that failed", 40, _failed),
        queues.QueueSection(
            "countersignatures",
            queues.Queue.NURSE,
            "Consents to countersign",
            30,
            _countersignatures,
        ),
    ):
        queues.register_section(section)
