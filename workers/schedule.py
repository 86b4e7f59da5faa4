"""The whole beat schedule, in one place."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "audit-verify-hourly": {
        "task": "workers.tasks.audit_verify_chain",
        "schedule": crontab(minute=7),
    },
}
