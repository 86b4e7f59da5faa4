"""Recomputing the chain of integrated entries. Pending entries are checked on their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.audit.hashing import GENESIS_HASH, compute_hash, content_hash
from core.models import AuditEntry

ALTERED = "its content does not match its hash (the entry was altered)"


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


def _entry_problem(entry: AuditEntry, expected_seq: int, expected_prev: str) -> str:
    if entry.seq != expected_seq:
        return f"sequence gap: expected #{expected_seq}, found #{entry.seq}"
    if entry.prev_hash != expected_prev:
        return "its previous-hash does not match the entry before it"
    if entry.hash_version != 1 and content_hash(entry) != entry.content_hash:
        return ALTERED
    if compute_hash(entry) != entry.entry_hash:
        return ALTERED
    return ""


def verify_entries(entries: Iterable[AuditEntry]) -> ChainVerification:
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in entries:
        problem = _entry_problem(entry, expected_seq, expected_prev)
        if problem:
            return ChainVerification(
                False, checked, entry.seq, problem, expected_seq - 1, expected_prev
            )
        assert entry.seq is not None and entry.entry_hash is not None
        expected_prev, expected_seq, checked = entry.entry_hash, entry.seq + 1, checked + 1
    return ChainVerification(True, checked, head_seq=expected_seq - 1, head_hash=expected_prev)


def verify_chain() -> ChainVerification:
    """Recompute every integrated entry's hash in order; report the first that does not match.
    Entries not yet integrated are not part of the chain (run the sequencer first)."""
    integrated = AuditEntry.objects.filter(seq__isnull=False).order_by("seq")
    return verify_entries(integrated.iterator(chunk_size=2000))


def altered_pending() -> list[int]:
    """Ids of pending entries whose content no longer matches the hash written with them."""
    pending = AuditEntry.objects.filter(seq__isnull=True).order_by("id")
    return [e.pk for e in pending.iterator(chunk_size=2000) if content_hash(e) != e.content_hash]
