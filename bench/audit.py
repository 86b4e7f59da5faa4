"""Audited actions per second from 8 concurrent writers on PostgreSQL, beside plain inserts
into a same-shaped table (no trigger, no chain) in the same run, and beside the old design
(every append takes the clinic-wide lock: `AUDIT_SEQUENCE_INLINE`). A first row gives the
machine's floor: transactions of one `SELECT` (no write), the rate no action reaches here.

Each action is one transaction holding one `audit_record` call, as a real audited action has.
In the pending design a sequencer process chains entries every 0.5 s while the writers run
(beat does it every AUDIT_SEQUENCE_SECONDS); the time it needs afterwards to chain what is left
is reported too, and the chain is verified at the end of every run.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pathway .venv/bin/python -m bench audit
(300 actions a writer quick, 600 full)
(creates and drops a test database). Writers are processes, so the GIL does not cap them.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from typing import Any

from bench.harness import Row, Scale, needs_postgres, scratch_database

WRITERS = 8
PER_WRITER = 600


def run(scale: Scale) -> list[Row]:
    per_writer = scale.pick(300, PER_WRITER)
    with scratch_database() as vendor:
        skipped = needs_postgres("audit", vendor)
        if skipped:
            return skipped
        _create_plain_table()
        # The old design is an order of magnitude slower: a fifth of the actions gives its rate.
        results = {
            name: (kind, _repeat(kind, WRITERS, count, scale.repeats))
            for name, kind, count in (
                ("one-statement transaction, SELECT 1 (machine floor)", "floor", per_writer),
                ("plain insert (baseline)", "plain", per_writer),
                ("audited, pending + sequencer", "pending", per_writer),
                ("audited, lock per entry (old)", "inline", max(per_writer // 5, 1)),
            )
        }
    base = f"{WRITERS} writers, plain insert (baseline)"
    rows = []
    for name, (kind, runs) in results.items():
        tail = max(t for _, t in runs)
        rows.append(
            Row(
                "audit",
                f"{WRITERS} writers, {name}",
                "actions/s",
                [rate for rate, _ in runs],
                baseline="" if kind in {"plain", "floor"} else base,
                goal=">= 2,000/s" if "pending" in name else "",
                higher_is_better=True,
                note=f"chaining the rest after: max {tail * 1000:.0f} ms" if tail else "",
            )
        )
    return rows


def _create_plain_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_audit")
        cursor.execute("CREATE TABLE bench_plain_audit (LIKE core_auditentry INCLUDING ALL)")


def _repeat(kind: str, writers: int, per_writer: int, repeats: int) -> list[tuple[float, float]]:
    return [_run(kind, writers, per_writer) for _ in range(repeats)]


def _run(kind: str, writers: int, per_writer: int) -> tuple[float, float]:
    """(actions per second, seconds the sequencer needed after the writers finished)."""
    from django.db import connections

    from core.audit import audit_sequence, verify_chain

    connections.close_all()  # children must not share the parent's connection
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(writers + 1)
    stop = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(kind, per_writer, barrier)) for _ in range(writers)]
    sequencer = ctx.Process(target=_sequencer, args=(stop,)) if kind == "pending" else None
    for proc in [*procs, *([sequencer] if sequencer else [])]:
        proc.start()
    barrier.wait()
    start = time.perf_counter()
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0, f"writer failed ({kind})"
    elapsed = time.perf_counter() - start
    stop.set()
    if sequencer:
        sequencer.join()
    tail_start = time.perf_counter()
    audit_sequence()
    tail = time.perf_counter() - tail_start if kind == "pending" else 0.0
    if kind not in {"plain", "floor"}:
        result = verify_chain()
        assert result.ok, result
    return writers * per_writer / elapsed, tail


def _writer(kind: str, count: int, barrier: Any) -> None:
    from django.conf import settings
    from django.db import connections, transaction

    from core.audit import audit_record

    settings.AUDIT_SEQUENCE_INLINE = kind == "inline"
    act: Callable[[int], Any] = (
        _select_one
        if kind == "floor"
        else _plain_insert
        if kind == "plain"
        else _audited(audit_record)
    )
    barrier.wait()
    for n in range(count):
        with transaction.atomic():
            act(n)
    connections.close_all()


def _audited(audit_record: Callable[..., Any]) -> Callable[[int], Any]:
    def act(n: int) -> Any:
        return audit_record(
            action="bench.action",
            actor_label="bench",
            case_id=n,
            patient_id=n,
            target=f"planning.case:{n}",
            data={"from": "consultation", "to": "evaluation", "n": n},
        )

    return act


def _select_one(n: int) -> None:
    """What any one-statement transaction costs here (BEGIN, one round trip, COMMIT): the rate
    no action can beat on this machine, however little it writes (a read-only COMMIT does not
    even wait for the log to reach the disk, which every write's does)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _plain_insert(n: int) -> None:
    """The same columns and values, into the same shape of table, without trigger or chain."""
    import json

    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_plain_audit (created_at, actor_label, action, case_id, "
            "patient_id, target, data, user_agent, content_hash, hash_version) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, '', %s, 2)",
            [
                timezone.now(),
                "bench",
                "bench.action",
                n,
                n,
                f"planning.case:{n}",
                json.dumps({"from": "consultation", "to": "evaluation", "n": n}),
                "0" * 64,
            ],
        )


def _sequencer(stop: Any) -> None:
    from django.db import connections

    from core.audit import audit_sequence

    while not stop.is_set():
        audit_sequence()
        time.sleep(0.5)
    connections.close_all()
