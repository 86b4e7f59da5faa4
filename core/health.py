"""Readiness: can this deployment do its work right now?

`/healthz` (liveness, `core.views.healthz`) touches nothing and answers while the process
runs. `/readyz` runs every check below and answers 200 only when all pass, 503 otherwise, with
each check's result as JSON. `python manage.py health` runs the same checks for container
health checks and monitoring scripts.

Worker and beat prove they are alive through heartbeats kept in the cache (Redis in
production, so every container sees them): beat sends `core.tasks.heartbeat` on start and every
`HEARTBEAT_INTERVAL_SECONDS` (30); beat records when it *sent* it (`before_task_publish` in the beat
process) and the worker records when it *ran* it. A heartbeat older than
`HEALTH_MAX_HEARTBEAT_AGE_SECONDS` fails readiness.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEARTBEAT_TASK = "core.tasks.heartbeat"
# How often beat sends it; HEALTH_MAX_HEARTBEAT_AGE_SECONDS must leave room for a few misses.
HEARTBEAT_INTERVAL_SECONDS = 30
HEARTBEAT_KEYS = {"worker": "pathway:heartbeat:worker", "beat": "pathway:heartbeat:beat"}


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _failure(exc: BaseException) -> str:
    """The kind of failure, not its message: readiness is public and messages name hosts."""
    return f"unavailable ({type(exc).__name__})"


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return CheckResult("database", False, _failure(exc))
    return CheckResult("database", True, "ok")


def redis_urls() -> list[str]:
    """Every Redis server this deployment uses (cache and broker), each once."""
    urls = [settings.REDIS_URL, settings.CELERY_BROKER_URL or ""]
    return list(dict.fromkeys(u for u in urls if u.startswith(("redis://", "rediss://"))))


def check_redis() -> CheckResult:
    import redis

    urls = redis_urls()
    if not urls:
        return CheckResult("redis", True, "embedded (no Redis configured)")
    for url in urls:
        try:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            with client:
                client.ping()
        except Exception as exc:  # connection refused, timeout, auth: all "not ready"
            return CheckResult("redis", False, _failure(exc))
    return CheckResult("redis", True, "ok")


def heartbeat_record(kind: str, *, at: float | None = None) -> None:
    """Remember that `kind` (worker or beat) was alive at `at` (now by default)."""
    cache.set(HEARTBEAT_KEYS[kind], time.time() if at is None else at, timeout=None)


def heartbeat_age(kind: str) -> float | None:
    """Seconds since `kind` last recorded a heartbeat, or None if it never did."""
    value = cache.get(HEARTBEAT_KEYS[kind])
    return None if value is None else max(0.0, time.time() - float(value))


def _check_heartbeat(kind: str) -> CheckResult:
    limit = settings.HEALTH_MAX_HEARTBEAT_AGE_SECONDS
    try:
        age = heartbeat_age(kind)
    except Exception as exc:  # the cache itself is down
        return CheckResult(kind, False, _failure(exc))
    if age is None:
        return CheckResult(kind, False, "no heartbeat recorded yet")
    if age > limit:
        return CheckResult(kind, False, f"last heartbeat {age:.0f}s ago (limit {limit}s)")
    return CheckResult(kind, True, f"last heartbeat {age:.0f}s ago")


def check_worker() -> CheckResult:
    return _check_heartbeat("worker")


def check_beat() -> CheckResult:
    return _check_heartbeat("beat")


def writable_dirs() -> list[Path]:
    """Where sealed records and the embedded stores live: they must take writes. (The seal key
    may sit on a read-only secrets mount, so its folder is not required to be writable.)"""
    dirs = [Path(settings.VAR_DIR)]
    extra = getattr(settings, "RECORDS_DIR", None)
    if extra:
        dirs.append(Path(extra))
    return list(dict.fromkeys(dirs))


def check_records() -> CheckResult:
    for folder in writable_dirs():
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-") as probe:
                probe.write(b"ok")
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            return CheckResult("records", False, f"{folder} is not writable ({exc.strerror})")
    return CheckResult("records", True, "writable")


CHECKS: dict[str, Callable[[], CheckResult]] = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
    "beat": check_beat,
    "records": check_records,
}


def run_checks(names: Iterable[str] | None = None) -> list[CheckResult]:
    return [CHECKS[name]() for name in (names or CHECKS)]


def report(results: list[CheckResult]) -> dict[str, Any]:
    checks = {r.name: {"ok": r.ok, "detail": r.detail} for r in results}
    return {"ok": all(r.ok for r in results), "checks": checks}


def readyz(request: HttpRequest) -> HttpResponse:
    body = report(run_checks())
    response = JsonResponse(body, status=200 if body["ok"] else 503)
    response["Cache-Control"] = "no-store"
    return response


class ProbeMiddleware:
    """Answer `/healthz` and `/readyz` before host validation and the HTTPS redirect.

    Container health checks call gunicorn directly on plain HTTP with the container's own
    address as the host; everything else still goes through ALLOWED_HOSTS and the redirect.
    Must be first in MIDDLEWARE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from core.views import liveness

        self.get_response = get_response
        self.probes: dict[str, Callable[[HttpRequest], HttpResponse]] = {
            "/healthz": liveness,
            "/readyz": readyz,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)
