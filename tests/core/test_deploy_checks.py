"""Production settings: `check --deploy` is clean, and the process refuses to start with DEBUG
on, without the seal key or with an unusable records store. The SQLite file is owner-only."""

from __future__ import annotations

import os
import secrets
import stat
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path: Path) -> dict[str, str]:
    seal = tmp_path / "seal"
    seal.mkdir()
    (seal / "key.pem").write_text("not really a key; only its presence is checked at start-up")
    (seal / "key.pem").chmod(0o600)
    (seal / "cert.pem").write_text("certificate")
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PATHWAY_", "DJANGO_"))}
    env.update(
        PATHWAY_ENV="production",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(64)),
        ALLOWED_HOSTS="pathway.example.org",
        CSRF_TRUSTED_ORIGINS="https://pathway.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/prod.sqlite3",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/9",
        PATHWAY_BASE_URL="https://pathway.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        PATHWAY_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        CONSENT_SEAL_KEY_PATH=str(seal / "key.pem"),
        CONSENT_SEAL_CERT_PATH=str(seal / "cert.pem"),
        TRUSTED_PROXIES="10.0.0.0/8",
        PATHWAY_TSA_URL="http://127.0.0.1:9/tsa",
        DEBUG="false",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _start_web(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """What gunicorn does first: import the WSGI application."""
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_and_the_certificate_command_run_before_the_seal_exists(tmp_path) -> None:
    env = _production_env(tmp_path) | {"CONSENT_SEAL_KEY_PATH": str(tmp_path / "none.pem")}
    result = _manage(env, "help", "make_clinic_certificate")
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path) -> None:
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_production_email_uses_tls_by_default(tmp_path) -> None:
    env = _production_env(tmp_path)
    code = "from django.conf import settings; print(settings.EMAIL_USE_TLS)"
    result = _manage(env, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be false in production"),
        ({"CONSENT_SEAL_KEY_PATH": "/nonexistent/key.pem"}, "The clinic seal key"),
        ({"CONSENT_SEAL_CERT_PATH": "/nonexistent/cert.pem"}, "The clinic seal certificate"),
        ({"PATHWAY_DEMO_MAILBOX": "true"}, "PATHWAY_DEMO_MAILBOX keeps patients' links"),
    ],
)
def test_production_refuses_to_start(tmp_path, change, message) -> None:
    env = _production_env(tmp_path) | change
    result = _start_web(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_records_store_it_cannot_use(tmp_path) -> None:
    env = _production_env(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env["PATHWAY_VAR_DIR"] = str(blocker)
    result = _start_web(env)
    assert result.returncode != 0
    assert "records store" in result.stderr


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path) -> None:
    env = _production_env(tmp_path) | {"PATHWAY_ENV": "development"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/dev.sqlite3"
    old = os.umask(0o022)
    try:
        code = "from django.db import connection; connection.ensure_connection()"
        result = _manage(env, "shell", "-c", code)
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    mode = stat.S_IMODE((tmp_path / "dev.sqlite3").stat().st_mode)
    assert mode == 0o600
