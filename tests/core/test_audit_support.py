"""Helpers for the audit tests: isolated checkpoint settings and what an attacker with database
access could do (raw SQL; on PostgreSQL with triggers bypassed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from core.audit.hashing import GENESIS_HASH, content_hash, link_hash
from core.models import AuditEntry


@pytest.fixture(params=["inline", "pending"])
def sequencing(request: pytest.FixtureRequest, settings: Any) -> str:
    """Run a test with inline chaining and with pending entries chained by the sequencer."""
    settings.AUDIT_SEQUENCE_INLINE = request.param == "inline"
    return str(request.param)


@pytest.fixture(autouse=True)
def checkpoint_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test gets its own checkpoint folder and key pair."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "records" / "audit-checkpoints"
    settings.AUDIT_CHECKPOINT_KEY_FILE = str(tmp_path / "keys" / "audit-checkpoint.key")
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE = str(tmp_path / "keys" / "audit-checkpoint.pub")
    settings.AUDIT_TSA_URL = ""
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def raw_sql(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, list(params))
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def rewrite_and_rehash(seq: int, **changes: Any) -> None:
    """Change entry #seq and recompute its hash and every hash after it, as a careful forger
    with database access would."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq"))
    before = AuditEntry.objects.filter(seq=seq - 1).values_list("entry_hash", flat=True).first()
    prev = before or GENESIS_HASH
    for entry in entries:
        if entry.seq == seq:
            for name, value in changes.items():
                setattr(entry, name, value)
        assert entry.seq is not None and prev is not None
        entry.hash_version = 2
        entry.content_hash = content_hash(entry)
        entry.prev_hash = prev
        entry.entry_hash = link_hash(entry.seq, prev, entry.content_hash)
        raw_sql(
            "UPDATE core_auditentry SET target = %s, content_hash = %s, prev_hash = %s, "
            "entry_hash = %s WHERE seq = %s",
            [entry.target, entry.content_hash, prev, entry.entry_hash, entry.seq],
        )
        prev = entry.entry_hash
