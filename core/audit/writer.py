"""Appending to the trail. Writers insert a pending entry and do not wait for each other; the
sequencer chains it (core.audit.sequencer). With `AUDIT_SEQUENCE_INLINE` (SQLite, which has a
single writer anyway, and the test settings) the entry is chained before `audit_record`
returns, inside the caller's transaction."""

from __future__ import annotations

import json
from typing import Any, Required, TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import request_context
from core.audit.hashing import content_hash
from core.audit.scrub import scrub
from core.audit.sequencer import sequence_batch
from core.bulk import bulk_insert
from core.models import AuditEntry, User


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed equals what the database gives back."""
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def _label(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class AuditFields(TypedDict, total=False):
    """The arguments of `audit_record` and `audit_entry` (keywords only)."""

    action: Required[str]
    actor: User | None
    actor_label: str
    case_id: int | None
    patient_id: int | None
    target: str
    data: dict[str, Any] | None


def audit_record(**fields: Unpack[AuditFields]) -> AuditEntry:
    """Append one entry. Call inside the transaction whose effect it records. Values under
    secret-looking keys in `data` are stored as "[redacted]" (core.audit.scrub)."""
    return audit_record_many([audit_entry(**fields)])[0]


def audit_entry(**fields: Unpack[AuditFields]) -> AuditEntry:
    """An unsaved pending entry (with its content hash), for `audit_record_many`."""
    actor = fields.get("actor")
    actor_label = fields.get("actor_label", "")
    ctx = request_context.current()
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label or (_label(actor) if actor is not None else "system"),
        action=fields["action"],
        case_id=fields.get("case_id"),
        patient_id=fields.get("patient_id"),
        target=fields.get("target", ""),
        data=scrub(_json_safe(fields.get("data") or {})),
        ip=ctx.ip if ctx else None,
        user_agent=ctx.user_agent if ctx else "",
    )
    entry.content_hash = content_hash(entry)
    return entry


def audit_record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries built by `audit_entry` in one INSERT, in list order (a batch job's
    entries: one statement instead of one per entry). Same rules as `audit_record`."""
    if not entries:
        return entries
    if not settings.AUDIT_SEQUENCE_INLINE:
        return _insert(entries)
    with transaction.atomic():
        _insert(entries)
        waiting = {entry.pk: entry for entry in entries}
        while waiting:  # more than one batch pending only after a switch of mode or a big batch
            links = sequence_batch()
            for pk, seq, prev_hash, entry_hash in links:
                entry = waiting.pop(pk, None)
                if entry is not None:
                    entry.seq, entry.prev_hash, entry.entry_hash = seq, prev_hash, entry_hash
            if not links:
                raise RuntimeError("An audit entry written in this transaction is not pending.")
    return entries


def _insert(entries: list[AuditEntry]) -> list[AuditEntry]:
    if len(entries) == 1:
        entries[0].save(force_insert=True)
        return entries
    created = bulk_insert(entries)
    if any(entry.pk is None for entry in created):  # a database without INSERT ... RETURNING
        raise RuntimeError("audit_record_many needs a database that returns inserted ids.")
    return created
