"""Log lines that can be followed from a request into the tasks it queued.

Each request gets an id (a sane incoming `X-Request-ID`, or a new one), returned in the
response header and held in a contextvar that `RequestIdFilter` copies onto every log record.
A task queued during the request carries the id in its message headers
(`before_task_publish`); the worker restores it before the task runs (`task_prerun`), so the
worker's lines for that task carry the same id. Production logs JSON lines (`JsonFormatter`),
development readable text; `LOG_FORMAT` overrides.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from celery import signals

HEADER = "X-Request-ID"
TASK_HEADER = "pathway_request_id"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")
_current: ContextVar[str | None] = ContextVar("pathway_request_id", default=None)


def current() -> str | None:
    return _current.get()


def bind(request_id: str | None) -> None:
    """Set for the rest of this request or task; the next one (or `clear`) replaces it."""
    _current.set(request_id)


def request_id_from(incoming: str | None) -> str:
    """Keep a caller's id (a proxy's, a client's) when it is short and plain; else make one."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Put the request id (and the Celery task, in a worker) on every record; never drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current() or "-"
        from celery import current_task

        if current_task and getattr(current_task.request, "id", None):  # a proxy: None is falsy
            record.task_id, record.task_name = current_task.request.id, current_task.name
        return True


class QuietClientErrors(logging.Filter):
    """An ordinary 4xx (a refused or missing page) is one line, not a traceback: Django logs
    403s with the exception attached. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text = None, None
        return True


# Beat sends these every few seconds (the audit sequencer every AUDIT_SEQUENCE_SECONDS, the
# heartbeat every 30 s): three INFO lines a run would bury everything else an operator reads,
# and the demo's printed address and logins with it. Their failures are still logged.
QUIET_TASKS = frozenset({"core.tasks.audit_sequence", "core.tasks.heartbeat"})
_TASK_LOGGERS = frozenset({"celery.beat", "celery.worker.strategy", "celery.app.trace"})


def _task_named(record: logging.LogRecord) -> object:
    """The task a Celery line is about: beat's "Sending due task %s (%s)" has it second, the
    worker's "received" and "succeeded" lines carry it as `name` in their argument dict."""
    args = record.args
    if isinstance(args, dict):
        return args.get("name")
    if isinstance(args, tuple) and len(args) == 2:
        return args[1]
    return None


class QuietHousekeeping(logging.Filter):
    """Drops the routine (INFO and below) lines about sending, receiving and finishing the
    frequent housekeeping tasks in QUIET_TASKS; warnings and errors about them stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or record.name not in _TASK_LOGGERS:
            return True
        return _task_named(record) not in QUIET_TASKS


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, task, error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "process": record.process,
        }
        for extra in ("task_id", "task_name"):
            if hasattr(record, extra):
                line[extra] = getattr(record, extra)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, json_lines: bool, level: str) -> dict[str, Any]:
    """The LOGGING dict for settings: one console handler with the request-id filter."""
    text = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.logs.RequestIdFilter"},
            "quiet_4xx": {"()": "core.logs.QuietClientErrors"},
            "quiet_housekeeping": {"()": "core.logs.QuietHousekeeping"},
        },
        "formatters": {
            "json": {"()": "core.logs.JsonFormatter"},
            "text": {"format": text},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json_lines else "text",
                "filters": ["request_id", "quiet_4xx", "quiet_housekeeping"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # WeasyPrint narrates every rendering step at INFO; keep its warnings.
        "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
    }


def clear(**_: Any) -> None:
    """Forget the request's id once its response is finished (Django's request_finished)."""
    bind(None)


def _publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _prerun(task: Any = None, **_: Any) -> None:
    """Each task starts with its own request's id (or none): the worker's lines about it,
    up to and including "succeeded", carry that id."""
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    bind(request_id if isinstance(request_id, str) else None)


def _setup_celery_logging(**_: Any) -> None:
    """Celery leaves logging to Django's LOGGING (one format for web and worker)."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def connect_celery_signals() -> None:
    signals.before_task_publish.connect(_publish, weak=False)
    signals.task_prerun.connect(_prerun, weak=False)
    signals.setup_logging.connect(_setup_celery_logging, weak=False)
