"""The Celery app. Settings live under the `CELERY_` namespace in config.settings."""

from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pathway")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in the package that owns the work; this is the one list of such packages.
app.autodiscover_tasks(["core", "records", "consent", "planning.treatment", "planning.followups"])


def _load_schedule() -> None:
    from workers.schedule import BEAT_SCHEDULE

    app.conf.beat_schedule = BEAT_SCHEDULE


_load_schedule()


def _connect_signals() -> None:
    from core import celery_hooks, logs

    celery_hooks.connect()
    logs.connect_celery_signals()


_connect_signals()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_to_start_unready(**_: object) -> None:
    """A production worker or beat refuses to start without the files it needs."""
    from core.deploy import require_production_ready

    require_production_ready()
