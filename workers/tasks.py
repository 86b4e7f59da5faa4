"""Thin Celery tasks: take IDs, call one service, stay idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from core.audit import verify_chain

logger = logging.getLogger(__name__)


@shared_task(name="workers.tasks.audit_verify_chain")
def audit_verify_chain() -> dict[str, object]:
    """Recompute the audit chain and log loudly if an entry was tampered with."""
    result = verify_chain()
    if result.ok:
        logger.info("Audit chain intact (%s entries).", result.checked)
    else:
        logger.error("Audit chain broken at entry %s: %s", result.first_bad_seq, result.problem)
    return {"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq}


@shared_task(
    name="workers.tasks.consent_pdf_make",
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    max_retries=5,
)
def consent_pdf_make(signature_id: int) -> dict[str, object]:
    """Render, seal and store the PDF of one signature. Idempotent: a second run (or a re-drive
    after a lost message) finds the stored PDF and does nothing."""
    from consent.services import consent_pdf_ensure

    record = consent_pdf_ensure(signature_id=signature_id)
    return {"signature_id": signature_id, "pdf_id": record.pk, "sha256": record.sha256}
