"""Exactly-once reminders under the batched sweep: two real Celery workers sweep a few hundred
due follow-ups concurrently in small batches; both are held inside a batch transaction (the
test locks the audit table, so each batch stops at its final audit append, after its claim,
links, messages and state changes), one is SIGKILLed there, and a restarted worker finishes.
Every follow-up is decided once: one message (e-mail or, for patients who prefer it, a text),
one audit entry, each delivered once, and the audit chain verifies."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from core.audit import audit_sequence, verify_chain
from core.models import AuditEntry, OutboundMessage, PatientLink
from planning.followups.models import FollowUp
from tests.factories import CaseFactory
from tests.workers.test_worker_sweep import (  # noqa: F401  (workers: the fixture, reused)
    _sent_log,
    _wait,
    nudge,
    workers,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PATIENT_ROWS = 240  # alternately e-mail and text
STAFF_ROWS = 30  # check-ins: a task on the board, no message
BATCH = 25


def _rows() -> list[FollowUp]:
    now = timezone.now()
    rows = []
    for i in range(PATIENT_ROWS + STAFF_ROWS):
        case = CaseFactory(
            patient__email=f"p{i}@example.invalid",
            patient__phone=f"+44 7700 9{i:05d}",
            patient__contact_channel="sms" if i % 2 else "email",
        )
        kind = "phq9" if i < PATIENT_ROWS else "check_in"
        rows.append(
            FollowUp(
                case=case,
                kind=kind,
                key=f"test:{case.pk}:{kind}",
                due_at=now - timedelta(minutes=1),
                window_ends_at=now + timedelta(days=1),
            )
        )
    return FollowUp.objects.bulk_create(rows)


def _waiting_on_lock(conn: psycopg.Connection[Any]) -> list[str]:
    """What each blocked session of this database is running: the workers' batches wait on
    the held audit table, or one on the other's batch (both are then inside a transaction
    that has decided rows and committed nothing)."""
    # (In a transaction pg_stat_activity is a snapshot taken once: clear it for each look.)
    conn.execute("SELECT pg_stat_clear_snapshot()")
    rows = conn.execute(
        "SELECT left(query, 80) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND state = 'active' AND pid <> pg_backend_pid()"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _decided() -> int:
    return FollowUp.objects.exclude(status="scheduled").count()


def test_batched_sweep_killed_mid_batch_reminds_each_followup_once(workers) -> None:  # noqa: F811
    rows = _rows()
    patient_rows = rows[:PATIENT_ROWS]
    pool = workers(0.0)
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )
    try:
        # Hold every audit append: a batch runs up to its final INSERT and waits there.
        holder.execute("LOCK TABLE core_auditentry IN SHARE MODE")
        env = {"FOLLOWUP_SWEEP_BATCH": str(BATCH)}
        victim = pool.start("victim", env)
        pool.start("other", env)
        nudge(2)
        deadline = time.monotonic() + 180
        while len(waiting := _waiting_on_lock(holder)) < 2:
            assert time.monotonic() < deadline, f"both workers should be blocked: {waiting}"
            time.sleep(0.2)
        assert _decided() == 0, "both batches are in flight, nothing committed yet"
        pool.kill(victim)
        holder.commit()  # release: the survivor's batch commits, the victim's rolls back
    finally:
        holder.close()
    pool.start("restarted", env)
    _wait(lambda: _decided() == len(rows), seconds=180, nudge_every=2)

    keys = [f"followup-{r.pk}" for r in patient_rows]
    messages = OutboundMessage.objects.filter(dedupe_key__startswith="followup-")
    assert sorted(messages.values_list("dedupe_key", flat=True)) == sorted(keys)
    by_channel = Counter(messages.values_list("channel", flat=True))
    assert by_channel == {"email": PATIENT_ROWS // 2, "sms": PATIENT_ROWS // 2}
    reminded = FollowUp.objects.filter(pk__in=[r.pk for r in patient_rows], status="reminded")
    assert reminded.count() == PATIENT_ROWS and not reminded.filter(link__isnull=True).exists()
    assert FollowUp.objects.filter(pk__in=[r.pk for r in rows[PATIENT_ROWS:]], status="due")
    assert PatientLink.objects.filter(purpose="followup").count() == PATIENT_ROWS

    remind_targets = Counter(
        AuditEntry.objects.filter(action="followup.remind").values_list("target", flat=True)
    )
    assert remind_targets == {f"followup:{r.pk}": 1 for r in rows}
    link_targets = Counter(
        AuditEntry.objects.filter(action="followup.link.created").values_list("target", flat=True)
    )
    assert len(link_targets) == PATIENT_ROWS and set(link_targets.values()) == {1}

    audit_sequence()
    chain = verify_chain()
    assert chain.ok, chain.problem

    # Delivery through the outbox: each message handed over exactly once, texts included.
    _wait(
        lambda: messages.filter(status="sent").count() == PATIENT_ROWS,
        seconds=180,
        nudge_every=2,
    )
    sent = _sent_log(pool.mail_dir)
    assert set(sent) == {f"<{key}@pathway.invalid>" for key in keys}
    assert max(sent.values()) == 1
