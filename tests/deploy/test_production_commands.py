"""The production stack's own commands, started as docker-compose.yml runs them, and one whole
journey driven over HTTP against them.

The commands are parsed out of docker-compose.yml, so this test cannot drift from the file.
They run with `PATHWAY_ENV=production` and a production-like environment: a fresh PostgreSQL
database (`pathway_ops_journey`), Redis DB 15 as cache and broker, a temporary var dir, a
generated SECRET_KEY, a clinic seal made with `make_clinic_certificate`, a real (file) mail
backend. The test client stands where Caddy stands: it sends `X-Forwarded-Proto: https`, as the
proxy does after terminating TLS.

Setup that is not reachable over HTTP, done with commands before the servers start:
`make_clinic_certificate` (the operator's step) and `seed_demo` for the staff accounts, the
clinic's published consent document and its protocols (an operator creates these in the
Django admin). Everything from signing in to the approved plan goes through the pages.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import yaml
from django.utils import timezone

from demo.consent import DEMO_QUESTIONS, demo_signature
from demo.pathway import DEMO_CSSRS, DEMO_PASSWORD, DEMO_PHQ9

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DB_NAME = "pathway_ops_journey"
REDIS = "redis://127.0.0.1:6379/15"
WAIT_SECONDS = 90  # an upper bound for each wait, never an assertion about speed


def compose_command(service: str) -> list[str]:
    """The service's command from docker-compose.yml, with its executables from this venv."""
    spec = yaml.safe_load(COMPOSE.read_text())["services"][service]
    command = [str(part) for part in spec["command"]]
    bindir = Path(sys.executable).parent
    command[0] = sys.executable if command[0] == "python" else str(bindir / command[0])
    return command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psql(sql: str) -> None:
    subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],  # noqa: S607
        check=True,
        capture_output=True,
    )


def production_env(tmp: Path, port: int) -> dict[str, str]:
    origin = f"https://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST"))}
    env.update(
        PATHWAY_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=origin,
        TRUSTED_PROXIES="127.0.0.1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=REDIS,
        CELERY_BROKER_URL=REDIS,
        CELERY_QUEUE=f"pathway-journey-{os.getpid()}",
        PATHWAY_VAR_DIR=str(tmp / "var"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp / "mail"),
        PATHWAY_BASE_URL=f"http://127.0.0.1:{port}",
        PATHWAY_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


class Stack:
    """The long-running services as subprocesses; `stop` always leaves none behind."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def run_once(self, command: list[str]) -> str:
        done = subprocess.run(  # noqa: S603
            command, env=self.env, cwd=ROOT, capture_output=True, timeout=WAIT_SECONDS
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def start(self, name: str, command: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(  # noqa: S603
            command,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


class Browser:
    """A requests session that behaves like a browser behind Caddy: CSRF token, Referer,
    X-Forwarded-Proto, redirects followed by hand (an https Location maps back to gunicorn)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["X-Forwarded-Proto"] = "https"
        self.last: requests.Response | None = None

    def _url(self, path: str) -> str:
        parts = urlsplit(urljoin(self.base, path))
        return f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self._follow(self.session.get(self._url(path), allow_redirects=False, **kwargs))

    def post(self, path: str, data: dict[str, Any]) -> requests.Response:
        token = self.session.cookies.get("csrftoken") or self._token_from_page(path)
        url = self._url(path)
        headers = {"Referer": url.replace("http://", "https://"), "X-CSRFToken": token}
        response = self.session.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            headers=headers,
            allow_redirects=False,
        )
        return self._follow(response)

    def _unsecure_cookies(self) -> None:
        """Secure cookies travel to gunicorn on 127.0.0.1: this client stands behind the
        TLS proxy, as Caddy does (requests would otherwise keep them for https only)."""
        for cookie in self.session.cookies:
            cookie.secure = False

    def _token_from_page(self, path: str) -> str:
        self.get(path)
        return str(self.session.cookies.get("csrftoken") or "")

    def _follow(self, response: requests.Response) -> requests.Response:
        self._unsecure_cookies()
        for _ in range(10):
            if response.status_code not in (301, 302, 303):
                break
            response = self.session.get(
                self._url(response.headers["Location"]), allow_redirects=False
            )
            self._unsecure_cookies()
        self.last = response
        return response


def wait_for(what: str, probe: Any, stack: Stack) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        for name, process in stack.processes.items():
            assert process.poll() is None, f"{name} exited:\n{stack.log(name)[-3000:]}"
        result = probe()
        if result:
            return result
        time.sleep(0.5)
    logs = "\n".join(f"== {n}\n{stack.log(n)[-1500:]}" for n in stack.processes)
    pytest.fail(f"gave up waiting for {what}\n{logs}")


def _ready(browser: Browser) -> bool:
    """Not yet while the port refuses or the first answer is slow (a gunicorn worker still
    importing the project on a loaded machine leaves the request waiting in the backlog):
    `wait_for` keeps asking until its own deadline."""
    try:
        return browser.get("/readyz", timeout=10).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


#: The physician's authenticator key (hex), set up before the servers start: physicians must
#: sign in with a second factor.
PHYSICIAN_TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def stack(tmp_path: Path, test_pki: Any) -> Iterator[tuple[Stack, Browser]]:
    """Fresh database, migrate one-shot, then web + worker + beat; stopped in a `finally`.
    Seals are made with the test PKI's certificate and time-stamped by its TSA (production
    requires a TSA), which this test process serves on 127.0.0.1."""
    port = free_port()
    env = production_env(tmp_path, port)
    env.update(
        PATHWAY_TSA_URL=test_pki.tsa_url,
        SEAL_KEY_PATH=str(test_pki.key),
        SEAL_CERT_PATH=str(test_pki.cert),
        SEAL_TRUST_ROOT_PATH=str(test_pki.root),
    )
    (tmp_path / "var").mkdir()
    (tmp_path / "logs").mkdir()
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB_NAME}")
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    stack = Stack(env, tmp_path / "logs")
    try:
        stack.run_once(compose_command("migrate"))
        manage = [sys.executable, "manage.py"]
        stack.run_once([*manage, "seed_demo"])  # staff accounts and consent document: see above
        stack.run_once([*manage, "shell", "-c", _GIVE_PHYSICIAN_AN_APP])
        for service in ("web", "worker", "beat"):
            stack.start(service, compose_command(service))
        browser = Browser(f"http://127.0.0.1:{port}")
        wait_for("/readyz to answer 200", lambda: _ready(browser), stack)
        yield stack, browser
    finally:
        stack.stop()
        shutil.rmtree(tmp_path / "var", ignore_errors=True)
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


# -- small steps, so sign-in and approval are easy to adapt (2FA, re-authentication) ---------


_GIVE_PHYSICIAN_AN_APP = (
    "from django_otp.plugins.otp_totp.models import TOTPDevice;"
    "from core.models import User;"
    "TOTPDevice.objects.create(user=User.objects.get(username='dr.okafor'), name='Journey app',"
    f" confirmed=True, key='{PHYSICIAN_TOTP_KEY}')"
)


def physician_code() -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(PHYSICIAN_TOTP_KEY)).token():06d}"


def sign_in(browser: Browser, username: str) -> None:
    response = browser.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    if "/accounts/login/code/" in response.url:  # the second factor (required for physicians)
        response = browser.post("/accounts/login/code/", {"otp_code": physician_code()})
    assert response.status_code == 200 and "/accounts/login/" not in response.url, response.text
    assert "Sign out" in response.text or "logout" in response.text


def sign_out(browser: Browser) -> None:
    browser.post("/accounts/logout/", {})


def approve_plan(browser: Browser, case_id: int, plan_id: int) -> requests.Response:
    """The physician's electronic signature, the first in this session: user ID and password
    (21 CFR 11.200; later signings ask for the password and a code)."""
    return browser.post(
        f"/cases/{case_id}/plan/approve/",
        {"plan_id": plan_id, "username": "dr.okafor", "password": DEMO_PASSWORD},
    )


# -- the journey ---------------------------------------------------------------------------


def open_case(browser: Browser) -> int:
    page = browser.get("/cases/new/").text
    physician = re.search(r'<option value="(\d+)"[^>]*>[^<]*Okafor', page)
    assert physician, page[:3000]
    response = browser.post(
        "/cases/new/",
        {
            "given_name": "Rowan",
            "family_name": "Journey",
            "date_of_birth": "1985-03-14",
            "mrn": "HTTP-0001",
            "sex_at_birth": "male",
            "email": "rowan.journey@example.invalid",
            "physician": physician.group(1),
        },
    )
    found = re.search(r"/cases/(\d+)/", response.url)
    assert response.status_code == 200 and found, response.text[:3000]
    return int(found.group(1))


def transition(browser: Browser, case_id: int, name: str, expected: str) -> None:
    response = browser.post(
        f"/cases/{case_id}/transition/", {"transition": name, "expected_state": expected}
    )
    assert response.status_code == 200, response.text[:3000]
    assert "Done: the case is now" in response.text, response.text[:3000]


def record_intake(browser: Browser, case_id: int) -> None:
    ok = (200,)
    consultation = {
        "presenting_symptoms": "Low mood for two years",
        "symptom_duration_months": 24,
        "trials-TOTAL_FORMS": 3,
        "trials-INITIAL_FORMS": 0,
        "trials-0-drug": "Sertraline",
        "trials-0-dose_mg": "150",
        "trials-0-weeks": 10,
        "trials-0-response": "none",
        "trials-1-drug": "Venlafaxine",
        "trials-1-dose_mg": "225",
        "trials-1-weeks": 8,
        "trials-1-response": "none",
    }
    intake = f"/cases/{case_id}/intake"
    assert browser.post(f"{intake}/consultation/", consultation).status_code in ok
    transition(browser, case_id, "complete_consultation", "consultation")

    page = browser.get(f"{intake}/evaluation/").text
    evaluation: dict[str, Any] = {
        "systolic_bp": 124,
        "diastolic_bp": 78,
        "heart_rate": 68,
        "spo2_percent": 98,
        "weight_kg": "70.0",
        "height_cm": "170.0",
        "pregnancy_status": "not_applicable",
        **{f"phq9__{k}": v for k, v in DEMO_PHQ9.items()},
        **{f"cssrs_screener__{k}": v for k, v in DEMO_CSSRS.items()},
        **dict.fromkeys(set(re.findall(r'name="(screen__[\w-]+)"', page)), "no"),
    }
    response = browser.post(f"{intake}/evaluation/", evaluation)
    assert response.status_code in ok, response.text[:3000]
    transition(browser, case_id, "complete_evaluation", "evaluation")

    medication = {"name": "Omeprazole", "dose": "20 mg", "frequency": "daily", "kind": "medication"}
    assert browser.post(f"{intake}/medications/", medication).status_code in ok
    assert browser.post(f"{intake}/medications/confirm/", {}).status_code in ok
    transition(browser, case_id, "complete_medication_review", "medication_review")


def invitation_link(mail_dir: Path, to: str = "rowan.journey@example.invalid") -> str:
    """The signing link in the invitation sent to `to` (the demo's own invitations share the
    folder: the outbox delivers them too)."""
    for message in sorted(mail_dir.glob("*.log")):
        for part in message.read_text().split("\n-----"):
            if f"To: {to}" not in part:
                continue
            found = re.search(r"https?://[^/\s]+(/consent/s/[A-Za-z0-9_\-]+/)", part)
            if found:
                return found.group(1)
    return ""


def sign_as_patient(browser: Browser, link: str) -> None:
    """The patient's phone: date of birth, disclosure, read, questions, review, sign."""
    dob = browser.post(link, {"date_of_birth": "1985-03-14"})
    assert dob.status_code == 200, dob.text[:3000]
    browser.post(f"{link}disclosure/", {"choice": "agree", "understood": "on"})
    read = browser.get(f"{link}read/").text
    version = re.search(r'name="version_id" value="(\d+)"', read)
    assert version, read[:3000]
    browser.post(f"{link}read/", {"version_id": version.group(1)})
    questions = browser.get(f"{link}questions/").text
    correct = {choices.split("\n")[right - 1] for _, choices, right, _ in DEMO_QUESTIONS}
    answers = {
        name: value
        for name, value, label in re.findall(
            r'name="(q\d+)" value="(\d+)"[^>]*>\s*<span>([^<]*)</span>', questions
        )
        if label.replace("&#x27;", "'") in correct
    }
    assert len(answers) == len(DEMO_QUESTIONS), questions[:3000]
    browser.post(f"{link}questions/", {"version_id": version.group(1), **answers})
    review = browser.get(f"{link}review/").text
    digest = re.search(r'name="document_sha256" value="([0-9a-f]{64})"', review)
    assert digest, review[:3000]
    image, strokes = demo_signature()
    signed = browser.post(
        f"{link}sign/",
        {
            "document_sha256": digest.group(1),
            "signature": image,
            "strokes": strokes,
            "typed_name": "Rowan Journey",
            "intent": "on",
        },
    )
    assert signed.status_code == 200 and "/done/" in signed.url, signed.text[:3000]


def write_plan(browser: Browser, case_id: int) -> int:
    start = (timezone.localdate() + timedelta(days=2)).isoformat()
    plan = {
        "route": "iv",
        "dose_value": "0.5",
        "infusion_minutes": 40,
        "sessions": 6,
        "frequency": "twice weekly",
        "start_date": start,
        "monitoring_requirements": "BP at 0, 15, 30, 45, 60, 90 minutes.",
        "concurrent_psychotherapy": "Weekly CBT",
        "cost_per_session": "",
        "override_reason": "",
    }
    page = browser.post(f"/cases/{case_id}/plan/", plan)
    assert page.status_code == 200, page.text[:3000]
    plan_id = re.search(r'name="plan_id" value="(\d+)"', page.text)
    assert plan_id, page.text[:3000]
    return int(plan_id.group(1))


def test_production_commands_serve_one_whole_journey(stack: tuple[Stack, Browser]) -> None:
    services, staff = stack
    sign_in(staff, "desk.rivera")
    case_id = open_case(staff)
    sign_out(staff)

    sign_in(staff, "nurse.lind")
    record_intake(staff, case_id)
    sign_out(staff)

    sign_in(staff, "desk.rivera")
    invited = staff.post(f"/consent/cases/{case_id}/invite/", {})
    assert invited.status_code == 200, invited.text[:3000]
    mail_dir = Path(services.env["EMAIL_FILE_PATH"])
    link = wait_for("the invitation e-mail", lambda: invitation_link(mail_dir), services)
    sign_out(staff)

    patient = Browser(staff.base)
    sign_as_patient(patient, link)
    pdf_url = f"{link}copy.pdf"

    def sealed_pdf() -> bytes:
        response = patient.get(pdf_url)
        ok = response.status_code == 200 and response.content.startswith(b"%PDF")
        return response.content if ok else b""

    pdf = wait_for("the worker to seal the consent PDF", sealed_pdf, services)
    (services.logs / "consent.pdf").write_bytes(pdf)
    verified = services.run_once(
        [sys.executable, "manage.py", "verify_pdf", str(services.logs / "consent.pdf")]
    )
    assert "Rowan Journey" in verified or "intact" in verified.lower(), verified

    sign_in(staff, "dr.okafor")
    plan_id = write_plan(staff, case_id)
    approved = approve_plan(staff, case_id, plan_id)
    assert approved.status_code == 200, approved.text[:3000]
    case = json.loads(
        staff.get(f"/api/cases/{case_id}", headers={"Accept": "application/json"}).text
    )
    assert case["state"] == "active", case

    _assert_request_id_reached_the_worker(services)


def _assert_request_id_reached_the_worker(services: Stack) -> None:
    """The sign request queued the PDF task: the worker's lines for it carry the web's id."""
    web_ids = {
        line["request_id"]
        for line in _json_lines(services.log("web"))
        if line.get("request_id") not in (None, "-")
    }
    task_ids = {
        line["request_id"]
        for line in _json_lines(services.log("worker"))
        if line.get("request_id") not in (None, "-")
    }
    assert task_ids and task_ids <= web_ids, (task_ids, web_ids)


def _json_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for raw in text.splitlines():
        if raw.startswith("{"):
            try:
                found.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
    return found
