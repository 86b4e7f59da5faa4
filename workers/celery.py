"""The Celery app. Settings live under the `CELERY_` namespace in config.settings."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pathway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])
app.conf.imports = ("core.tasks", "workers.tasks", "workers.tasks_plans", "workers.tasks_followups")


def _load_schedule() -> None:
    from workers.schedule import BEAT_SCHEDULE

    app.conf.beat_schedule = BEAT_SCHEDULE


_load_schedule()
