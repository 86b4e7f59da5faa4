"""What is hashed, exactly. Pure functions: no database access.

Version 2 (pending writes): the writer hashes the entry's content once (`content_hash`); the
sequencer links it into the chain with `entry_hash = H(seq, prev_hash, content_hash)`.
Version 1 entries (written before pending writes) hashed everything at once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from core.models import AuditEntry

GENESIS_HASH = "0" * 64


def _iso(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # (strftime's %Y does not pad years below 1000 here; isoformat does)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # The same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), a few times faster.
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# The encoder json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# builds on every call, built once (the same output: tests/core/test_audit_hash_format.py).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _dumps(content: dict[str, Any]) -> str:
    return _ENCODER.encode(content)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _content(entry: AuditEntry) -> dict[str, Any]:
    return {
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
    }


def canonical_content(entry: AuditEntry) -> str:
    """The text behind `content_hash` (v2) or, for v1 entries, behind `entry_hash`."""
    content = _content(entry)
    if entry.hash_version == 1:
        content.update(seq=entry.seq, prev_hash=entry.prev_hash)
    else:
        content["v"] = 2
    return _dumps(content)


def content_hash(entry: AuditEntry) -> str:
    return sha256_hex(canonical_content(entry))


def link_hash(seq: int, prev_hash: str, entry_content_hash: str) -> str:
    return sha256_hex(
        _dumps({"v": 2, "seq": seq, "prev_hash": prev_hash, "content_hash": entry_content_hash})
    )


def compute_hash(entry: AuditEntry) -> str:
    """The `entry_hash` this entry should carry, recomputed from its content and position."""
    if entry.hash_version == 1:
        return content_hash(entry)
    if entry.seq is None or entry.prev_hash is None:
        raise ValueError("A pending audit entry has no chain position yet.")
    return link_hash(entry.seq, entry.prev_hash, content_hash(entry))
