"""The Celery app. Settings live under the `CELERY_` namespace in config.settings."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pathway")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in the package that owns the work; this is the one list of such packages.
app.autodiscover_tasks(["core", "records", "consent", "planning.treatment", "planning.followups"])


def _load_schedule() -> None:
    from workers.schedule import BEAT_SCHEDULE

    app.conf.beat_schedule = BEAT_SCHEDULE


_load_schedule()
