"""The minute sweep: follow-ups, reminder delivery, re-driving lost PDF work."""

from __future__ import annotations

from celery import shared_task

from planning.sweep import sweep


@shared_task(name="workers.tasks.followups_sweep", acks_late=True)
def followups_sweep() -> dict[str, object]:
    result = sweep()
    return {
        "reminded": result.reminded,
        "delivered": result.delivered,
        "missed": result.missed,
        "redriven": result.redriven,
    }
