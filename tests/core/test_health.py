"""Liveness and readiness: each check passes when its service is there and fails when not."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from celery import signals
from django.core.management import CommandError, call_command
from django.test import Client

from core import health
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def alive(settings, tmp_path: Path) -> None:
    """Everything healthy: embedded broker, fresh heartbeats, a writable var dir."""
    settings.REDIS_URL, settings.CELERY_BROKER_URL = "", "filesystem://"
    settings.VAR_DIR = tmp_path
    health.heartbeat_record("worker")
    health.heartbeat_record("beat")


def _check(name: str) -> health.CheckResult:
    (result,) = health.run_checks([name])
    return result


def test_liveness_touches_nothing() -> None:
    with mock.patch.object(health, "run_checks") as checks:
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    checks.assert_not_called()


def test_ready_when_every_check_passes(alive: None) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "redis", "worker", "beat", "records"}
    assert body["checks"]["redis"]["detail"].startswith("embedded")


def test_probes_answer_any_host_on_plain_http(alive: None, settings) -> None:
    """Container health checks call gunicorn as http://127.0.0.1; nothing else is loosened."""
    settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT = ["pathway.example.org"], True
    client = Client(HTTP_HOST="127.0.0.1:8000")
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 400


def test_not_ready_is_503_naming_the_failed_check(alive: None, settings) -> None:
    settings.REDIS_URL = DEAD_REDIS
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "127.0.0.1" not in response.content.decode()  # no host names in a public answer


def test_database_passes_and_fails(alive: None) -> None:
    assert _check("database").ok
    with mock.patch.object(health.connection, "cursor", side_effect=OSError("down")):
        result = _check("database")
    assert not result.ok and "OSError" in result.detail


@pytest.mark.redis
def test_redis_passes_when_it_answers(alive: None, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    assert _check("redis") == health.CheckResult("redis", True, "ok")


@pytest.mark.parametrize("setting", ["REDIS_URL", "CELERY_BROKER_URL"])
def test_redis_fails_when_cache_or_broker_is_unreachable(alive: None, settings, setting) -> None:
    setattr(settings, setting, DEAD_REDIS)
    result = _check("redis")
    assert not result.ok and "ConnectionError" in result.detail


def test_embedded_broker_reports_embedded(alive: None) -> None:
    assert _check("redis").ok and "embedded" in _check("redis").detail


@pytest.mark.parametrize("kind", ["worker", "beat"])
def test_heartbeat_fails_when_missing(alive: None, kind: str) -> None:
    health.cache.delete(health.HEARTBEAT_KEYS[kind])
    assert _check(kind) == health.CheckResult(kind, False, "no heartbeat recorded yet")


@pytest.mark.parametrize("kind", ["worker", "beat"])
def test_heartbeat_fails_when_older_than_the_limit(alive: None, settings, kind: str) -> None:
    settings.HEALTH_MAX_HEARTBEAT_AGE_SECONDS = 120
    with time_machine.travel(health.time.time() + 119, tick=False):
        assert _check(kind).ok
    with time_machine.travel(health.time.time() + 121, tick=False):
        result = _check(kind)
    assert not result.ok and "limit 120s" in result.detail


def test_worker_heartbeat_is_recorded_by_running_the_task(alive: None) -> None:
    health.cache.delete(health.HEARTBEAT_KEYS["worker"])
    heartbeat.apply()
    assert _check("worker").ok


def test_beat_heartbeat_is_recorded_when_the_task_is_sent(alive: None) -> None:
    """beat is the only publisher of the heartbeat task; other tasks do not count."""
    health.cache.delete(health.HEARTBEAT_KEYS["beat"])
    signals.before_task_publish.send(sender="core.tasks.audit_verify_chain", headers={})
    assert not _check("beat").ok
    signals.before_task_publish.send(sender=health.HEARTBEAT_TASK, headers={})
    assert _check("beat").ok


def test_beat_schedules_the_heartbeat() -> None:
    from workers.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["heartbeat"]
    assert entry["task"] == health.HEARTBEAT_TASK
    assert entry["schedule"] == health.HEARTBEAT_INTERVAL_SECONDS


def test_records_passes_when_writable_and_fails_when_not(alive: None, settings, tmp_path) -> None:
    assert _check("records").ok
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    settings.VAR_DIR = not_a_dir  # root ignores permission bits; a file is never writable-into
    result = _check("records")
    assert not result.ok and str(not_a_dir) in result.detail


def test_health_command_exits_non_zero_naming_the_failure(alive: None, settings, capsys) -> None:
    call_command("health", "database", "records")
    assert json.loads(capsys.readouterr().out)["ok"] is True
    health.cache.delete(health.HEARTBEAT_KEYS["beat"])
    with pytest.raises(CommandError, match="Not ready: beat"):
        call_command("health", "beat")
    with pytest.raises(CommandError, match="Unknown check"):
        call_command("health", "nonsense")
