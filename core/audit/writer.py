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
from core.bulk import bulk_insert, insert_one
from core.models import AuditEntry, User

_SAFE_ENCODER = json.JSONEncoder(default=str)  # what json.dumps(data, default=str) uses


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed equals what the database gives back."""
    if not data:
        return {}
    loaded: dict[str, Any] = json.loads(_SAFE_ENCODER.encode(data))
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
    saved_actor = actor if actor is not None and actor.pk else None
    # Positional arguments in the model's field order: Django's fast path (keywords cost a
    # third of building an entry). The order is checked against the model (_FIELD_ORDER).
    row: tuple[Any, ...] = (
        None,  # id
        None,  # seq
        timezone.now(),  # created_at
        saved_actor.pk if saved_actor is not None else None,  # actor_id
        actor_label or (_label(actor) if actor is not None else "system"),
        fields["action"],
        fields.get("case_id"),
        fields.get("patient_id"),
        fields.get("target", ""),
        scrub(_json_safe(fields.get("data") or {})),  # data
        ctx.ip if ctx else None,  # ip
        ctx.user_agent if ctx else "",  # user_agent
        "",  # content_hash
        2,  # hash_version
        None,  # prev_hash
        None,  # entry_hash
    )
    entry = AuditEntry(*row)
    if saved_actor is not None:
        AuditEntry.actor.field.set_cached_value(entry, saved_actor)
    entry.content_hash = content_hash(entry)
    return entry


_FIELD_ORDER = (
    "id",
    "seq",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "case_id",
    "patient_id",
    "target",
    "data",
    "ip",
    "user_agent",
    "content_hash",
    "hash_version",
    "prev_hash",
    "entry_hash",
)
if tuple(f.attname for f in AuditEntry._meta.concrete_fields) != _FIELD_ORDER:
    raise ImportError("AuditEntry's fields changed: update audit_entry's positional arguments.")


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
        if not insert_one(entries[0]):  # (precompiled; Model.save where it cannot)
            entries[0].save(force_insert=True)
        return entries
    created = bulk_insert(entries)
    if any(entry.pk is None for entry in created):  # a database without INSERT ... RETURNING
        raise RuntimeError("audit_record_many needs a database that returns inserted ids.")
    return created
