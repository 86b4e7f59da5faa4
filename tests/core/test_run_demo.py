"""`make demo` starts web, worker, beat and the test PKI with DEBUG off unless asked for it."""

from __future__ import annotations

from typing import Any

import pytest

from workers.management.commands import run_demo


class _Started:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def __init__(self, cmd: list[str], env: dict[str, str] | None = None) -> None:
        self.calls.append((cmd, dict(env or {})))
        self.returncode = 0

    def poll(self) -> int:
        return 0  # ended at once: the command stops watching

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.fixture
def started(monkeypatch) -> list[tuple[list[str], dict[str, str]]]:
    _Started.calls = []
    monkeypatch.setattr(run_demo.subprocess, "Popen", _Started)
    monkeypatch.setattr(run_demo.signal, "signal", lambda *a: None)
    return _Started.calls


def _run() -> None:
    options: dict[str, Any] = {"host": "127.0.0.1", "port": 8765}
    run_demo.Command().handle(**options)


def test_every_process_runs_with_debug_off(started, monkeypatch, capsys) -> None:
    monkeypatch.delenv("DEBUG", raising=False)
    _run()
    assert len(started) == 4
    assert {env["DEBUG"] for _, env in started} == {"false"}
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out


def test_debug_can_still_be_asked_for(started, monkeypatch) -> None:
    monkeypatch.setenv("DEBUG", "true")
    _run()
    assert {env["DEBUG"] for _, env in started} == {"true"}


def test_outside_production_static_files_are_served_without_collectstatic(settings) -> None:
    assert settings.WHITENOISE_USE_FINDERS is True
