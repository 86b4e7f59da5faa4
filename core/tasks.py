"""Core's background work: checking the audit chain. Tasks take IDs, call one service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.audit import verify_chain

logger = logging.getLogger(__name__)


@shared_task(name="core.tasks.audit_verify_chain")
def audit_verify_chain() -> dict[str, object]:
    """Recompute the audit chain and log loudly if an entry was tampered with."""
    result = verify_chain()
    if result.ok:
        logger.info("Audit chain intact (%s entries).", result.checked)
    else:
        logger.error("Audit chain broken at entry %s: %s", result.first_bad_seq, result.problem)
    return {"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq}


@shared_task(name="core.tasks.outbox_deliver", acks_late=True)
def outbox_deliver() -> dict[str, int]:
    """Send the outbox's due messages (beat every minute, and a nudge after each enqueue)."""
    from core.outbox import outbox_deliver_due

    run = outbox_deliver_due()
    return {"sent": run.sent, "retried": run.retried, "failed": run.failed}
