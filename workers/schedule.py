"""The whole beat schedule, in one place."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Follow-ups are rows in the database; this nudge only asks a worker to look at them.
    "followups-sweep-every-minute": {
        "task": "planning.followups.tasks.followups_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Sealed records whose archive time-stamp certificate nears expiry get a new one (B-LTA).
    "records-archive-renew-daily": {
        "task": "records.tasks.records_archive_renew",
        "schedule": crontab(hour=3, minute=17),
    },
    "audit-verify-hourly": {
        "task": "core.tasks.audit_verify_chain",
        "schedule": crontab(minute=7),
    },
}
