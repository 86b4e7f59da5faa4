"""Sealed records' background work: renewing archive time-stamps before they lapse."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="records.tasks.records_archive_renew", acks_late=True)
def records_archive_renew() -> list[int]:
    """Beat runs this daily; the database says which records are due (idempotent)."""
    from records.services import sealed_records_renew_due

    return sealed_records_renew_due()
