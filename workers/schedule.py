"""The whole beat schedule, in one place."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.conf import settings

from core.health import HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_TASK

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Follow-ups are rows in the database; this nudge only asks a worker to look at them.
    "followups-sweep-every-minute": {
        "task": "planning.followups.tasks.followups_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The audit trail: chain pending entries every few seconds, sign a checkpoint per interval.
    "audit-sequence": {
        "task": "core.tasks.audit_sequence",
        "schedule": float(settings.AUDIT_SEQUENCE_SECONDS),
        "options": {"expires": settings.AUDIT_SEQUENCE_SECONDS},
    },
    "audit-checkpoint": {
        "task": "core.tasks.audit_checkpoint",
        "schedule": float(settings.AUDIT_CHECKPOINT_INTERVAL_SECONDS),
    },
    # Messages are rows in core's outbox; enqueueing also nudges a delivery on commit.
    "outbox-deliver-every-minute": {
        "task": "core.tasks.outbox_deliver",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Readiness: beat records sending it, the worker records running it (core/health.py).
    "heartbeat": {
        "task": HEARTBEAT_TASK,
        "schedule": float(HEARTBEAT_INTERVAL_SECONDS),
        "options": {"expires": HEARTBEAT_INTERVAL_SECONDS},
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
