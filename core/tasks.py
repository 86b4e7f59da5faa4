"""Core's background work, run by beat: chain pending audit entries, sign checkpoints, check
the chain. Tasks call one service each and are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from core.health import HEARTBEAT_TASK, heartbeat_record

logger = logging.getLogger(__name__)


@shared_task(name="core.tasks.audit_verify_chain")
def audit_verify_chain() -> dict[str, object]:
    """Recompute the audit chain and log loudly if an entry was tampered with."""
    from core.audit import verify_chain

    result = verify_chain()
    if result.ok:
        logger.info("Audit chain intact (%s entries).", result.checked)
    else:
        logger.error("Audit chain broken at entry %s: %s", result.first_bad_seq, result.problem)
    return {"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq}


@shared_task(name="core.tasks.audit_sequence")
def audit_sequence() -> int:
    """Chain every pending entry (cheap when nothing is pending)."""
    from core.audit import audit_sequence as sequence

    return sequence()


@shared_task(name="core.tasks.audit_checkpoint")
def audit_checkpoint() -> dict[str, object]:
    """Sign a checkpoint of the chain's head (needs the private key on this worker)."""
    from core.audit.checkpoints import audit_checkpoint as checkpoint

    row = checkpoint()
    logger.info("Audit checkpoint at #%s: %s", row.seq, row.checkpoint_hash)
    return {"seq": row.seq, "checkpoint_hash": row.checkpoint_hash}


@shared_task(name="core.tasks.outbox_deliver", acks_late=True)
def outbox_deliver() -> dict[str, int]:
    """Send the outbox's due messages (beat every minute, and a nudge after each enqueue)."""
    from core.outbox import outbox_deliver_due

    run = outbox_deliver_due()
    return {"sent": run.sent, "retried": run.retried, "failed": run.failed}


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    """Sent by beat (which records the sending); running it proves a worker consumes tasks."""
    heartbeat_record("worker")
