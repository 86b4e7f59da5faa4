"""Appending to the trail. Writers insert a pending entry and do not wait for each other; the
sequencer chains it (core.audit.sequencer). With `AUDIT_SEQUENCE_INLINE` (SQLite, which has a
single writer anyway, and the test settings) the entry is chained before `audit_record`
returns, inside the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import request_context
from core.audit.hashing import content_hash
from core.audit.scrub import scrub
from core.audit.sequencer import sequence_batch
from core.models import AuditEntry, User


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed equals what the database gives back."""
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def _label(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


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
    """Append one entry. Call inside the transaction whose effect it records. Values under
    secret-looking keys in `data` are stored as "[redacted]" (core.audit.scrub)."""
    ctx = request_context.current()
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label or (_label(actor) if actor is not None else "system"),
        action=action,
        case_id=case_id,
        patient_id=patient_id,
        target=target,
        data=scrub(_json_safe(data or {})),
        ip=ctx.ip if ctx else None,
        user_agent=ctx.user_agent if ctx else "",
    )
    entry.content_hash = content_hash(entry)
    if not settings.AUDIT_SEQUENCE_INLINE:
        entry.save(force_insert=True)
        return entry
    with transaction.atomic():
        entry.save(force_insert=True)
        while entry.seq is None:  # more than one batch pending only after a switch of mode
            links = sequence_batch()
            for pk, seq, prev_hash, entry_hash in links:
                if pk == entry.pk:
                    entry.seq, entry.prev_hash, entry.entry_hash = seq, prev_hash, entry_hash
            if not links:
                raise RuntimeError("An audit entry written in this transaction is not pending.")
    return entry
