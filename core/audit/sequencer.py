"""Integrating pending entries into the chain, in batches, under one lock per batch.

Writers never wait on each other: `audit_record` inserts an entry with its `content_hash` and
no chain position. The sequencer takes the chain lock (a PostgreSQL advisory lock; SQLite has
one writer anyway), reads the head, and gives every pending entry it can see the next `seq`,
its `prev_hash` and its `entry_hash` in one UPDATE.

Commit order: ids are allocated before commit, so id 10 may be visible while id 9 is still in
flight. The sequencer never keeps a high-water mark of ids; it integrates whatever is pending
*and committed* (`seq IS NULL`, in id order), so id 9 simply joins the chain in a later batch
after id 10. The chain's order is therefore the order in which entries became visible to the
sequencer, which is the order that matters for tamper evidence; `created_at` and `id` stay on
each entry for the order in which things happened. Nothing is skipped, nothing is chained
twice (`AND seq IS NULL` plus the lock), and no writer ever waits for another writer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from core.audit.hashing import GENESIS_HASH, link_hash
from core.models import AuditEntry

CHAIN_LOCK_KEY = 0x50415448  # "PATH"
_UPDATE_CHUNK = 1000

Link = tuple[int, int, str, str]  # (id, seq, prev_hash, entry_hash)


def lock_chain() -> None:
    """Serialise chain changes until the current transaction ends (PostgreSQL only; SQLite
    connections take the database write lock at BEGIN)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_head() -> tuple[int, str]:
    """(seq, entry_hash) of the newest integrated entry, or (0, GENESIS_HASH)."""
    last = (
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "entry_hash")
        .first()
    )
    if last is None or last[0] is None or last[1] is None:
        return 0, GENESIS_HASH
    return last[0], last[1]


def _prefer_index_scan() -> None:
    """Each integrated entry leaves a dead version in the pending index until VACUUM. A bitmap
    scan visits them all, every batch (measured: 20 ms per batch after 37,000 entries); a plain
    index scan marks them dead as it passes, so each costs once. (PostgreSQL only.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")


def sequence_batch(limit: int | None = None) -> list[Link]:
    """Integrate up to `limit` pending entries visible to this transaction; return the links.
    Idempotent: a second call finds nothing pending."""
    with transaction.atomic():
        lock_chain()
        _prefer_index_scan()
        pending = (
            AuditEntry.objects.filter(seq__isnull=True)
            .order_by("id")
            .values_list("id", "content_hash")
        )
        rows = list(pending[: limit or settings.AUDIT_SEQUENCE_BATCH])
        if not rows:
            return []
        seq, prev = chain_head()
        links: list[Link] = []
        for pk, entry_content_hash in rows:
            seq += 1
            entry_hash = link_hash(seq, prev, entry_content_hash)
            links.append((pk, seq, prev, entry_hash))
            prev = entry_hash
        for start in range(0, len(links), _UPDATE_CHUNK):
            _write_links(links[start : start + _UPDATE_CHUNK])
    return links


def audit_sequence(batch_size: int | None = None) -> int:
    """Integrate everything pending, one locked batch at a time; return how many entries."""
    size = batch_size or settings.AUDIT_SEQUENCE_BATCH
    total = 0
    while True:
        done = len(sequence_batch(size))
        total += done
        if done < size:
            return total


def _write_links(links: list[Link]) -> None:
    cast = "::bigint" if connection.vendor == "postgresql" else ""
    values = ", ".join([f"(%s{cast}, %s{cast}, %s, %s)"] * len(links))
    sql = (
        f"WITH v(id, seq, prev_hash, entry_hash) AS (VALUES {values}) "  # noqa: S608
        "UPDATE core_auditentry SET seq = v.seq, prev_hash = v.prev_hash, "
        "entry_hash = v.entry_hash FROM v "
        "WHERE core_auditentry.id = v.id AND core_auditentry.seq IS NULL"
    )
    params = [value for link in links for value in link]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # (SQLite reports -1 for a statement that starts with WITH; it has one writer anyway.)
        if cursor.rowcount not in (-1, len(links)):
            raise RuntimeError("Audit entries were integrated by someone else mid-batch.")
