"""Reads for core's own pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import DemoMessage, MessageStatus, OutboundMessage
from core.outbox import max_attempts


@dataclass(frozen=True)
class OutboxPage:
    failed: list[OutboundMessage]
    pending: list[OutboundMessage]
    max_attempts: int


def outbox_page(*, limit: int = 200) -> OutboxPage:
    """Messages staff must know about: given up on, and still waiting (with their retries)."""
    rows = OutboundMessage.objects.defer("attachment", "body_html", "body_text", "sealed_link")
    return OutboxPage(
        failed=list(rows.filter(status=MessageStatus.FAILED).order_by("-failed_at")[:limit]),
        pending=list(
            rows.filter(status=MessageStatus.PENDING).order_by("next_attempt_at", "pk")[:limit]
        ),
        max_attempts=max_attempts(),
    )


def demo_messages(*, limit: int = 100) -> list[DemoMessage]:
    """The demo mailbox, newest first."""
    return list(DemoMessage.objects.order_by("-sent_at", "-pk")[:limit])
