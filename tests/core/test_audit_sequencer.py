"""Audit appends that scale: writers insert pending entries without waiting for each other;
the sequencer chains them in batches, never skipping an entry that commits late."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections, transaction

from core.audit import audit_record, audit_sequence, verify_chain
from core.audit.checkpoints import audit_checkpoint
from core.audit.trail import verify_trail
from core.models import AuditEntry
from tests.core import test_audit_support as support

checkpoint_dir = support.checkpoint_dir  # fixture


@pytest.fixture
def pending(settings: Any) -> None:
    settings.AUDIT_SEQUENCE_INLINE = False


@pytest.mark.django_db
def test_entries_are_written_pending_and_chained_by_the_sequencer(pending: None) -> None:
    written = [audit_record(action="test.pending", data={"n": n}) for n in range(5)]
    assert all(e.seq is None and e.entry_hash is None and e.content_hash for e in written)
    assert verify_chain().checked == 0
    assert audit_sequence() == 5
    assert audit_sequence() == 0  # idempotent
    chained = list(AuditEntry.objects.order_by("seq").values_list("id", "seq"))
    assert chained == [(e.pk, n + 1) for n, e in enumerate(written)]
    result = verify_chain()
    assert result.ok and result.checked == 5


@pytest.mark.django_db
def test_sequencer_works_in_batches_and_continues_an_inline_chain(settings: Any) -> None:
    audit_record(action="test.inline")
    settings.AUDIT_SEQUENCE_INLINE = False
    for n in range(7):
        audit_record(action="test.pending", data={"n": n})
    assert audit_sequence(batch_size=3) == 7
    result = verify_chain()
    assert result.ok and result.checked == 8


@pytest.mark.django_db
def test_a_pending_entry_altered_before_it_is_chained_is_reported(pending: None) -> None:
    entry = audit_record(action="test.pending", target="real")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE core_auditentry SET target = 'forged' WHERE id = %s", [entry.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    assert [p.kind for p in verify_trail().problems] == ["pending"]
    audit_sequence()
    assert verify_chain().first_bad_seq == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_trigger_lets_only_the_sequencers_update_through(pending: None) -> None:
    entry = audit_record(action="test.pending")
    refused = [
        ("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk]),
        (
            "UPDATE core_auditentry SET seq = 1, prev_hash = 'p', entry_hash = 'h', "
            "action = 'x' WHERE id = %s",
            [entry.pk],
        ),
        ("UPDATE core_auditentry SET seq = 1 WHERE id = %s", [entry.pk]),
        ("DELETE FROM core_auditentry WHERE id = %s", [entry.pk]),
    ]
    for sql, params in refused:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    assert audit_sequence() == 1
    for sql in (
        "UPDATE core_auditentry SET seq = 2 WHERE id = %s",
        "UPDATE core_auditentry SET prev_hash = NULL, seq = NULL, entry_hash = NULL WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert verify_chain().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_entry_that_commits_after_a_later_id_is_chained_not_lost(settings: Any) -> None:
    settings.AUDIT_SEQUENCE_INLINE = False
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                audit_record(action="test.slow")  # takes the lower id ...
                inserted.set()
                release.wait(timeout=10)  # ... and commits last
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(timeout=10)
    fast = audit_record(action="test.fast")
    assert audit_sequence() == 1  # only the committed one; the in-flight one is invisible
    release.set()
    thread.join()
    assert errors == []
    assert audit_sequence() == 1
    slow = AuditEntry.objects.get(action="test.slow")
    assert slow.pk < fast.pk
    assert list(AuditEntry.objects.order_by("seq").values_list("action", "seq")) == [
        ("test.fast", 1),
        ("test.slow", 2),
    ]
    assert verify_chain().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_no_gap_no_fork_verification_intact_checkpoints_valid(
    settings: Any,
) -> None:
    settings.AUDIT_SEQUENCE_INLINE = False
    writers, per_writer = 8, 60
    barrier = threading.Barrier(writers + 1)
    done = threading.Event()
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(per_writer):
                with transaction.atomic():
                    audit_record(action="test.concurrent", data={"worker": worker, "n": n})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def sequence_and_checkpoint() -> None:
        try:
            barrier.wait(timeout=10)
            while not done.is_set():
                audit_sequence(batch_size=50)
                audit_checkpoint()
                time.sleep(0.01)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    sequencer = threading.Thread(target=sequence_and_checkpoint)
    for thread in [*threads, sequencer]:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    sequencer.join()
    assert errors == []
    audit_sequence()
    audit_checkpoint()
    audit_sequence()
    total = AuditEntry.objects.count()
    assert AuditEntry.objects.filter(action="test.concurrent").count() == writers * per_writer
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))  # every entry chained once: no gap, no fork
    report = verify_trail()
    assert report.ok, report.problems
    assert report.chain.checked == total and report.anchor is not None
