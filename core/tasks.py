"""The audit trail's beat tasks: chain pending entries, sign checkpoints. Idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


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
