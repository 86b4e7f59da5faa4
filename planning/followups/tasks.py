"""The minute sweep: follow-ups (their reminders go to core's outbox), re-driving lost PDF
work."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="planning.followups.tasks.followups_sweep", acks_late=True)
def followups_sweep() -> dict[str, object]:
    from planning.followups.sweep import sweep

    result = sweep()
    return {
        "reminded": result.reminded,
        "missed": result.missed,
        "redriven": result.redriven,
    }
