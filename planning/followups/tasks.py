"""The minute sweep: follow-ups (their reminders go to core's outbox), re-driving lost PDF
work."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="planning.followups.tasks.followups_sweep", acks_late=True)
def followups_sweep() -> dict[str, object]:
    from django.conf import settings

    from planning.followups.sweep import sweep

    result = sweep(batch=settings.FOLLOWUP_SWEEP_BATCH)
    return {
        "reminded": result.reminded,
        "missed": result.missed,
        "redriven": result.redriven,
    }
