"""Consent's background work. Tasks take IDs, call one service, stay idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    name="consent.tasks.consent_pdf_make",
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    max_retries=5,
)
def consent_pdf_make(signature_id: int) -> dict[str, object]:
    """Render, seal and store the PDF of one signature. Idempotent: a second run (or a re-drive
    after a lost message) finds the stored PDF and does nothing."""
    from consent.services import consent_pdf_ensure  # services queue this task: import on use

    record = consent_pdf_ensure(signature_id=signature_id)
    return {"signature_id": signature_id, "pdf_id": record.pk, "sha256": record.sha256}
