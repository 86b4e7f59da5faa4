"""A bounded load test on loopback: gunicorn with the production settings (DEBUG off, the
compose file's gunicorn config) on 127.0.0.1 and a random port, against a scratch PostgreSQL
database; for a bounded time (10 s quick, 20 s full) patients open their follow-up links, staff
browse the case board and a sweep process reminds due follow-ups, all at once, while a probe
asks the trivial liveness view (`/healthz`) on the same server. Reports p50 (the median
column), p95, p99 and errors per kind of request; the liveness view is the baseline.

Needs DATABASE_URL=postgres://... (its database name + `_load` is created and dropped) and
REDIS_URL (the rate limiter and cache; production settings require it).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import Row, Scale

ROOT = Path(__file__).resolve().parents[1]
PATIENT_THREADS, STAFF_THREADS = 4, 2
CASES, DUE = 2_000, 3_000


def run(scale: Scale) -> list[Row]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return [Row("load", "skipped: needs DATABASE_URL=postgres://...", "", [0.0])]
    base, _, name = url.rpartition("/")
    db_url = f"{base}/{name.split('?')[0]}_load"
    seconds = scale.pick(10, 20)
    with tempfile.TemporaryDirectory() as tmp:
        env = _production_env(Path(tmp), db_url)
        _psql(base, f"DROP DATABASE IF EXISTS {name}_load WITH (FORCE)")
        _psql(base, f"CREATE DATABASE {name}_load")
        try:
            _manage(env, "migrate", "--no-input")
            tokens, session = _seed(env)
            return _drive(env, tokens, session, seconds)
        finally:
            _psql(base, f"DROP DATABASE IF EXISTS {name}_load WITH (FORCE)")


def _psql(base_url: str, sql: str) -> None:
    subprocess.run(  # noqa: S603
        ["psql", f"{base_url}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],  # noqa: S607
        check=True,
        capture_output=True,
    )


def _production_env(tmp: Path, db_url: str) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization  # noqa: F401  (dependency check)

    port = _free_port()
    key, cert = tmp / "seal.key", tmp / "seal.crt"
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", _MAKE_SEAL, str(key), str(cert)], check=True, cwd=ROOT
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST"))}
    env.update(
        PATHWAY_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
        TRUSTED_PROXIES="127.0.0.1",
        DATABASE_URL=db_url,
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1"),
        CELERY_QUEUE=f"bench-load-{os.getpid()}",
        PATHWAY_VAR_DIR=str(tmp / "var"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp / "mail"),
        PATHWAY_BASE_URL=f"http://127.0.0.1:{port}",
        PATHWAY_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_FORMAT="json",
        SEAL_KEY_PATH=str(key),
        SEAL_CERT_PATH=str(cert),
        SEAL_TRUST_ROOT_PATH=str(cert),
        PATHWAY_TSA_URL="http://127.0.0.1:9/tsa",  # no record is sealed during the load test
        DJANGO_SETTINGS_MODULE="config.settings",
        BENCH_PORT=str(port),
    )
    (tmp / "var").mkdir()
    return env


_MAKE_SEAL = (
    "import sys, pathlib;"
    "from records.sealing import make_self_signed_certificate as m;"
    "k, c = m(common_name='Load seal', organization='Bench');"
    "pathlib.Path(sys.argv[1]).write_bytes(k); pathlib.Path(sys.argv[2]).write_bytes(c)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout


_SEED = """
import json
from datetime import timedelta
from itertools import cycle
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from core.links import links_create
from core.models import LinkPurpose, Patient, User
from planning.followups.models import FollowUp
from planning.pathway.models import Case
from planning.pathway.states import CaseState

states = cycle([s.value for s in CaseState])
patients = Patient.objects.bulk_create(
    Patient(given_name=f"P{i}", family_name="Load", date_of_birth="1980-01-01", mrn=f"L-{i}",
            email=f"p{i}@example.invalid", phone=f"+44 7700 9{i:05d}",
            contact_channel="sms" if i % 2 else "email")
    for i in range(CASES)
)
cases = Case.objects.bulk_create(Case(patient=p, state=next(states)) for p in patients)
now = timezone.now()
specs = [(c.patient, c.pk, now + timedelta(days=7)) for c in cases[:200]]
made = links_create(LinkPurpose.FOLLOWUP, specs)
FollowUp.objects.bulk_create(
    FollowUp(case_id=link.case_id, kind="phq9", key=f"load:linked:{n}", link=link,
             status="reminded", reminded_at=now, due_at=now - timedelta(hours=1),
             window_ends_at=now + timedelta(days=7))
    for n, (link, _) in enumerate(made)
)
FollowUp.objects.bulk_create(
    FollowUp(case=cases[i % len(cases)], kind="phq9", key=f"load:{i}",
             due_at=now - timedelta(minutes=1), window_ends_at=now + timedelta(days=1))
    for i in range(DUE)
)
user = User.objects.create_user("load.staff", password="x" * 20)
user.groups.add(Group.objects.get(name="admin_staff"))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "core.auth_backend.GrantsBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
from django.conf import settings
print(json.dumps({"tokens": [t for _, t in made], "session": session.session_key,
                  "cookie": settings.SESSION_COOKIE_NAME}))
"""


def _seed(env: dict[str, str]) -> tuple[list[str], tuple[str, str]]:
    import json

    script = _SEED.replace("CASES", str(CASES)).replace("DUE", str(DUE))
    out = json.loads(_manage(env, "shell", "-c", script).strip().splitlines()[-1])
    return out["tokens"], (out["cookie"], out["session"])


def _drive(
    env: dict[str, str], tokens: list[str], session: tuple[str, str], seconds: int
) -> list[Row]:
    import requests

    base = f"http://127.0.0.1:{env['BENCH_PORT']}"
    logs = Path(env["PATHWAY_VAR_DIR"])
    web = _start(env, ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"], logs / "web")
    sweeper = None
    try:
        _wait_ready(base, web, logs / "web")
        sweeper = _start(env, [sys.executable, "manage.py", "shell", "-c", _SWEEP], logs / "sweep")
        results: dict[str, list[float]] = {}
        errors: dict[str, int] = {}
        statuses: set[int] = set()
        stop = time.monotonic() + seconds
        lock = threading.Lock()

        def loop(kind: str, request: Callable[[requests.Session], int]) -> None:
            client = requests.Session()
            client.headers["X-Forwarded-Proto"] = "https"
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    status = request(client)
                except requests.RequestException:
                    status = 0
                ms = (time.perf_counter() - start) * 1000
                with lock:
                    results.setdefault(kind, []).append(ms)
                    if status != 200:
                        errors[kind] = errors.get(kind, 0) + 1
                        statuses.add(status)

        def patient(client: requests.Session) -> int:
            token = tokens[secrets.randbelow(len(tokens))]
            return client.get(f"{base}/f/{token}/", timeout=30).status_code

        def staff(client: requests.Session) -> int:
            client.cookies.set(session[0], session[1])
            return client.get(f"{base}/cases/", timeout=30, allow_redirects=False).status_code

        def probe(client: requests.Session) -> int:
            time.sleep(0.05)
            return client.get(f"{base}/healthz", timeout=30).status_code

        threads = [
            *(
                threading.Thread(target=loop, args=("patient opens link", patient))
                for _ in range(PATIENT_THREADS)
            ),
            *(
                threading.Thread(target=loop, args=("staff opens board", staff))
                for _ in range(STAFF_THREADS)
            ),
            threading.Thread(target=loop, args=("/healthz (trivial)", probe)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        reminded = _reminded(env)
    finally:
        for process in (sweeper, web):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
    rows = []
    for kind in ("/healthz (trivial)", "patient opens link", "staff opens board"):
        runs = results.get(kind, [0.0])
        pct = statistics.quantiles(runs, n=100, method="inclusive") if len(runs) > 1 else runs * 99
        rows.append(
            Row(
                "load",
                f"{kind}, {seconds} s",
                "ms",
                runs,
                baseline="" if kind.startswith("/healthz") else f"/healthz (trivial), {seconds} s",
                note=f"p95 {pct[94]:.0f}, p99 {pct[98]:.0f}, errors {errors.get(kind, 0)}",
            )
        )
    rows.append(
        Row(
            "load",
            f"reminders decided by the sweep during the {seconds} s",
            "",
            [reminded],
            note=f"error statuses {sorted(statuses)}" if statuses else "",
        )
    )
    return rows


_SWEEP = """
import time
from planning.followups.sweep import sweep
while True:
    sweep(batch=200, limit=200)
    time.sleep(0.2)
"""


def _reminded(env: dict[str, str]) -> float:
    out = _manage(
        env,
        "shell",
        "-c",
        "from planning.followups.models import FollowUp;"
        "print(FollowUp.objects.filter(status='reminded').count())",
    )
    return float(out.strip().splitlines()[-1])


def _start(env: dict[str, str], command: list[str], log: Path) -> subprocess.Popen[bytes]:
    if command[0] == "gunicorn":
        command[0] = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(  # noqa: S603
        command,
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_ready(base: str, web: subprocess.Popen[bytes], log: Path) -> None:
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise RuntimeError("gunicorn exited: " + log.read_text()[-2000:])
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz")
