"""Beat's every-few-seconds housekeeping (the audit sequencer, the heartbeat) does not fill
the console: its routine lines are dropped, its failures and every other task's lines stay."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from celery.app import trace
from celery.beat import ScheduleEntry, Scheduler
from celery.schedules import schedule

from core.logs import QUIET_TASKS, QuietHousekeeping, logging_config
from workers.celery import app

LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(QuietHousekeeping())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield out
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def _worker_lines(name: str) -> None:
    """What a worker logs for one task it receives and runs (celery's own formats)."""
    context = {"id": "abc", "name": name, "args": "()", "kwargs": "{}"}
    logging.getLogger("celery.worker.strategy").info(trace.LOG_RECEIVED, context)
    trace.info(trace.LOG_SUCCESS, {**context, "return_value": 0, "runtime": 0.003})


def _beat_sends(task: str) -> None:
    class Quiet(Scheduler):
        def apply_async(self, *args: Any, **kwargs: Any) -> Any:
            return None  # no broker: only beat's own line matters here

    entry = ScheduleEntry(name="x", task=task, schedule=schedule(2.0), app=app)
    Quiet(app, lazy=True).apply_entry(entry)


def test_the_housekeeping_tasks_routine_lines_are_dropped(console) -> None:
    for task in QUIET_TASKS:
        _beat_sends(task)
        _worker_lines(task)
    assert console.getvalue() == ""


def test_other_tasks_lines_stay(console) -> None:
    _beat_sends("planning.followups.tasks.followups_sweep")
    _worker_lines("records.tasks.seal_record")
    text = console.getvalue()
    assert "Sending due task x (planning.followups.tasks.followups_sweep)" in text
    assert "records.tasks.seal_record[abc] received" in text
    assert "records.tasks.seal_record[abc] succeeded" in text


def test_a_housekeeping_failure_stays(console) -> None:
    trace.logger.error(
        trace.LOG_FAILURE,
        {"id": "abc", "name": "core.tasks.audit_sequence", "exc": "boom", "description": "raised"},
    )
    assert "core.tasks.audit_sequence[abc] raised" in console.getvalue()


def test_the_console_handler_uses_the_filter() -> None:
    for json_lines in (True, False):
        handler = logging_config(json_lines=json_lines, level="INFO")["handlers"]["console"]
        assert "quiet_housekeeping" in handler["filters"]


def test_the_quiet_tasks_are_real_scheduled_tasks() -> None:
    from workers.schedule import BEAT_SCHEDULE

    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert QUIET_TASKS.issubset(scheduled)
