"""Writing and verifying the audit trail.

Appends are serialised (PostgreSQL advisory lock; SQLite takes its write lock at BEGIN because
the connection uses IMMEDIATE transactions) so that each entry names the true previous hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core import request_context
from core.models import AuditEntry, User

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x50415448  # "PATH"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(entry: AuditEntry) -> str:
    """The exact text that is hashed: every field except the hash itself, keys sorted."""
    content = {
        "seq": entry.seq,
        "created_at": _iso(entry.created_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "case_id": entry.case_id,
        "patient_id": entry.patient_id,
        "target": entry.target,
        "data": entry.data,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_content(entry).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed equals what the database gives back."""
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_label: str = "",
    case_id: int | None = None,
    patient_id: int | None = None,
    target: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the transaction whose effect it records."""
    ctx = request_context.current()
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
        entry = AuditEntry(
            seq=(last["seq"] + 1) if last else 1,
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_label=actor_label or (_label(actor) if actor is not None else "system"),
            action=action,
            case_id=case_id,
            patient_id=patient_id,
            target=target,
            data=_json_safe(data or {}),
            ip=ctx.ip if ctx else None,
            user_agent=ctx.user_agent if ctx else "",
            prev_hash=last["entry_hash"] if last else GENESIS_HASH,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry


def _label(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_entries(entries: Iterable[AuditEntry]) -> ChainVerification:
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in entries:
        problem = ""
        if entry.seq != expected_seq:
            problem = f"sequence gap: expected #{expected_seq}, found #{entry.seq}"
        elif entry.prev_hash != expected_prev:
            problem = "its previous-hash does not match the entry before it"
        elif compute_hash(entry) != entry.entry_hash:
            problem = "its content does not match its hash (the entry was altered)"
        if problem:
            return ChainVerification(False, checked, entry.seq, problem)
        expected_prev, expected_seq, checked = entry.entry_hash, entry.seq + 1, checked + 1
    return ChainVerification(True, checked)


def verify_chain() -> ChainVerification:
    """Recompute every hash in order; report the first entry that does not match."""
    return verify_entries(AuditEntry.objects.order_by("seq").iterator(chunk_size=2000))
