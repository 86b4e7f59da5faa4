"""A real Celery worker against Redis and PostgreSQL: reminders are decided and sent exactly
once, with two workers, and after a worker is killed with SIGKILL mid-delivery; by e-mail and
by text message, both through core's outbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from core.models import OutboundMessage
from planning.followups.models import FollowUp
from tests.factories import CaseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

_BROKER = os.environ.get("CELERY_BROKER_URL", "")
REDIS = (
    _BROKER
    if _BROKER.startswith("redis://")
    else os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/14"
)
QUEUE = f"pathway-test-{os.getpid()}"


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    def __init__(self, mail_dir: Path, pause: float) -> None:
        self.mail_dir, self.pause = mail_dir, pause
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        env = dict(
            os.environ,
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=REDIS,
            CELERY_QUEUE=QUEUE,
            EMAIL_BACKEND="tests.support.mail.LogBackend",
            PATHWAY_SMS_BACKEND="tests.support.mail.LogSmsBackend",
            OUTBOX_LEASE_SECONDS="3",
            EMAIL_FILE_PATH=str(self.mail_dir),
            TEST_MAIL_PAUSE=str(self.pause),
            PATHWAY_ENV="test",
            **(extra or {}),
        )
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-Q",
            QUEUE,
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            # one task at a time: a worker does not reserve the other worker's sweep
            "--prefetch-multiplier",
            "1",
            "--loglevel",
            "WARNING",
        ]
        process = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[float], Workers]]:
    from workers.celery import app

    with app.connection_for_write(REDIS) as conn:
        if _queue_exists(conn):
            conn.default_channel.queue_purge(QUEUE)
    created: list[Workers] = []

    def make(pause: float = 0.0) -> Workers:
        pool = Workers(tmp_path / "mail", pause)
        created.append(pool)
        return pool

    yield make
    for pool in created:
        pool.stop_all()


def _queue_exists(conn: Any) -> bool:
    try:
        conn.default_channel.queue_declare(QUEUE, passive=True)
    except Exception:  # no such queue yet
        return False
    return True


def nudge(times: int = 1) -> None:
    """What beat does every minute: ask a worker to sweep, and to deliver the outbox."""
    from workers.celery import app
    from workers.schedule import BEAT_SCHEDULE

    tasks = [BEAT_SCHEDULE[name]["task"] for name in BEAT_SCHEDULE if "every-minute" in name]
    assert set(tasks) == {"planning.followups.tasks.followups_sweep", "core.tasks.outbox_deliver"}
    with app.connection_for_write(REDIS) as conn:
        for _ in range(times):
            for task in tasks:
                app.send_task(task, queue=QUEUE, connection=conn)


def _due_followups(n: int, channel: str = "email") -> list[FollowUp]:
    now = timezone.now()
    rows = []
    for i in range(n):
        case = CaseFactory(
            patient__email=f"p{i}@example.invalid",
            patient__phone=f"+44 7700 900{i:03d}",
            patient__contact_channel=channel,
        )
        rows.append(
            FollowUp.objects.create(
                case=case,
                kind="phq9",
                key=f"test:{case.pk}:phq9",
                due_at=now - timedelta(minutes=1),
                window_ends_at=now + timedelta(days=1),
            )
        )
    return rows


def _sent_log(mail_dir: Path) -> Counter[str]:
    log = mail_dir / "mail.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return Counter(line.split()[1] for line in lines if line.startswith("sent "))


def _wait(condition: Callable[[], bool], *, seconds: float, nudge_every: float = 0) -> None:
    deadline, last = time.monotonic() + seconds, 0.0
    while time.monotonic() < deadline:
        if condition():
            return
        if nudge_every and time.monotonic() - last > nudge_every:
            nudge()
            last = time.monotonic()
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the workers")


def _messages(rows: list[FollowUp]) -> Any:
    return OutboundMessage.objects.filter(dedupe_key__in=[f"followup-{r.pk}" for r in rows])


def _all_sent(rows: list[FollowUp]) -> bool:
    return _messages(rows).filter(status="sent").count() == len(rows)


def _assert_exactly_once(rows: list[FollowUp], mail_dir: Path, channel: str = "email") -> None:
    assert _messages(rows).count() == len(rows)
    assert _messages(rows).filter(channel=channel).count() == len(rows)
    assert FollowUp.objects.filter(pk__in=[r.pk for r in rows], status="reminded").count() == len(
        rows
    )
    sent = _sent_log(mail_dir)
    expected = {f"<followup-{r.pk}@pathway.invalid>" for r in rows}
    assert set(sent) == expected, "every reminder sent"
    assert max(sent.values()) == 1, f"sent twice: {[k for k, v in sent.items() if v > 1]}"


def test_due_followups_are_reminded_once(workers) -> None:
    pool = workers(0.0)
    rows = _due_followups(12)
    pool.start("one")
    nudge(3)
    _wait(lambda: _all_sent(rows), seconds=60, nudge_every=2)
    _assert_exactly_once(rows, pool.mail_dir)


def test_two_workers_still_remind_once(workers) -> None:
    pool = workers(0.02)
    rows = _due_followups(30)
    pool.start("one")
    pool.start("two")
    nudge(6)
    _wait(lambda: _all_sent(rows), seconds=90, nudge_every=1)
    _assert_exactly_once(rows, pool.mail_dir)


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_worker_killed_mid_delivery_loses_and_repeats_nothing(workers, channel) -> None:
    pool = workers(0.3)
    rows = _due_followups(15, channel)
    victim = pool.start("victim")
    nudge()
    log = pool.mail_dir / "mail.log"

    def sending_now() -> bool:  # a message is on its way: 'sending' without its 'sent'
        lines = log.read_text().splitlines() if log.exists() else []
        sends = sum(1 for line in lines if line.startswith("sending "))
        return sends >= 3 and sends > len([line for line in lines if line.startswith("sent ")])

    _wait(sending_now, seconds=60)
    pool.kill(victim)
    assert not _all_sent(rows), "the kill must land mid-sweep"
    pool.start("survivor")
    _wait(lambda: _all_sent(rows), seconds=120, nudge_every=2)
    _assert_exactly_once(rows, pool.mail_dir, channel)
