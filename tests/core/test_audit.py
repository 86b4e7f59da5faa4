"""The audit trail: hash-chained, append-only, and tamper-evident."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from core.audit import GENESIS_HASH, audit_record, compute_hash, verify_chain
from core.models import AppendOnlyError, AuditEntry
from tests.core import test_audit_support as support

checkpoint_dir = support.checkpoint_dir  # fixture


@pytest.mark.django_db
def test_entries_chain_to_each_other() -> None:
    first = audit_record(action="test.one", data={"n": 1})
    second = audit_record(action="test.two", data={"text": "naïve ✓"}, case_id=7)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash and second.seq == first.seq + 1
    stored = AuditEntry.objects.get(pk=second.pk)
    assert compute_hash(stored) == second.entry_hash
    assert verify_chain().ok and verify_chain().checked == 2


@pytest.mark.django_db
def test_model_and_queryset_refuse_change_and_delete() -> None:
    entry = audit_record(action="test.one")
    entry.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.one"


def _raw_sql(sql: str, params: list[object]) -> None:
    """What an attacker with database access could do (on PostgreSQL: bypassing the trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def _raw_tamper(seq: int) -> None:
    _raw_sql("UPDATE core_auditentry SET target = %s WHERE seq = %s", ["forged", seq])


@pytest.mark.django_db
def test_tampered_row_makes_audit_verify_fail_and_name_it(capsys) -> None:
    for n in range(5):
        audit_record(action="test.entry", data={"n": n})
    call_command("audit_verify")
    assert "intact: 5 entries" in capsys.readouterr().out
    _raw_tamper(3)
    with pytest.raises(CommandError, match=r"entry #3: its content does not match"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_deleted_row_breaks_the_chain() -> None:
    for n in range(4):
        audit_record(action="test.entry", data={"n": n})
    _raw_sql("DELETE FROM core_auditentry WHERE seq = %s", [2])
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 3 and "sequence gap" in result.problem


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_trigger_refuses_raw_update_and_delete() -> None:
    entry = audit_record(action="test.one")
    for sql in (
        "UPDATE core_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.one"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain() -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(10):
                audit_record(action="test.concurrent", data={"worker": worker, "n": n})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify_chain()
    assert result.ok and result.checked == 40
