"""Core's background work: checking the audit chain. Tasks take IDs, call one service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.audit import verify_chain
from core.health import HEARTBEAT_TASK, heartbeat_record

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


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    """Sent by beat (which records the sending); running it proves a worker consumes tasks."""
    heartbeat_record("worker")
