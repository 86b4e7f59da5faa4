"""Celery signal receivers that core needs in every process (web, worker, beat).

`workers/celery.py` calls `connect()` once when the Celery app is created.
"""

from __future__ import annotations

from typing import Any

from celery import signals

from core.health import HEARTBEAT_TASK, heartbeat_record


def _heartbeat_sent(sender: str | None = None, **_: Any) -> None:
    """Only beat publishes the heartbeat task: its sending is beat's own heartbeat."""
    if sender == HEARTBEAT_TASK:
        heartbeat_record("beat")


def _beat_started(sender: Any, **_: Any) -> None:
    """Beat's first scheduled heartbeat is an interval away; send one now."""
    sender.app.send_task(HEARTBEAT_TASK, expires=60)


def _worker_ready(**_: Any) -> None:
    heartbeat_record("worker")


def connect() -> None:
    signals.before_task_publish.connect(_heartbeat_sent, weak=False)
    signals.beat_init.connect(_beat_started, weak=False)
    signals.worker_ready.connect(_worker_ready, weak=False)
