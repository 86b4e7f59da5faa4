"""Signed checkpoints: the chain's head, signed with the clinic's Ed25519 key, stored as a row
and as a JSON file outside the database (`AUDIT_CHECKPOINT_DIR`).

Each checkpoint names the hash of the one before it (the checkpoints form their own chain) and
carries up to `WITNESSES` evenly spaced (seq, entry_hash) pairs of the entries it covers since
its predecessor, so a rewritten-and-rehashed stretch of the trail can be located, exactly when
the stretch is no longer than `WITNESSES` entries. Making a checkpoint also writes an
`audit.checkpoint` entry, so the trail itself remembers its newest checkpoint.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import keys, timestamps
from core.audit.hashing import GENESIS_HASH, sha256_hex
from core.audit.sequencer import audit_sequence, chain_head, lock_chain
from core.audit.writer import audit_record
from core.models import AuditCheckpoint, AuditEntry

WITNESSES = 1024
CHECKPOINT_ACTION = "audit.checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as read back from a file or a row: the signed text and what it says."""

    source: str
    payload_text: str
    signature: str
    tsa_token: str = ""
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def seq(self) -> int:
        return int(self.payload["seq"])

    @property
    def head_hash(self) -> str:
        return str(self.payload["head_hash"])

    @property
    def prev_hash(self) -> str:
        return str(self.payload["prev_checkpoint_hash"])

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(str(self.payload["created_at"]))

    @property
    def checkpoint_hash(self) -> str:
        return sha256_hex(self.payload_text)

    def witnesses(self) -> list[tuple[int, str]]:
        return [(int(s), str(h)) for s, h in self.payload.get("witnesses", [])]

    def signature_ok(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(bytes.fromhex(self.signature), self.payload_text.encode("utf-8"))
        except (InvalidSignature, ValueError):
            return False
        return self.payload.get("key_id") == keys.key_id(key)

    def timestamp_ok(self) -> bool:
        if not self.tsa_token:
            return True
        token = base64.b64decode(self.tsa_token)
        return timestamps.token_matches(token, self.payload_text.encode("utf-8"))


def checkpoint_dir() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _from_text(source: str, payload_text: str, signature: str, tsa_token: str) -> Checkpoint:
    payload = json.loads(payload_text)
    if not isinstance(payload, dict):
        raise ValueError("the signed payload is not an object")
    return Checkpoint(source, payload_text, signature, tsa_token, payload)


def from_row(row: AuditCheckpoint) -> Checkpoint:
    return _from_text(f"database row {row.pk}", row.payload, row.signature, row.tsa_token)


def read_file(path: Path) -> Checkpoint:
    """Raises ValueError (or OSError) for a file that is not a checkpoint."""
    outer = json.loads(path.read_text("utf-8"))
    return _from_text(
        f"file {path.name}", outer["payload"], outer["signature"], outer.get("tsa_token", "")
    )


def checkpoint_files() -> list[Path]:
    folder = checkpoint_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _newest_file_checkpoint() -> Checkpoint | None:
    """File names start with the creation time, so the newest readable file is found without
    reading the others."""
    for path in reversed(checkpoint_files()):
        try:
            return read_file(path)
        except (OSError, ValueError, KeyError):
            continue
    return None


def _witnesses(after_seq: int, head_seq: int) -> list[list[Any]]:
    span = head_seq - after_seq
    if span <= 0:
        return []
    step = -(-span // WITNESSES)
    wanted = {min(after_seq + step * i, head_seq) for i in range(1, WITNESSES + 1)}
    rows = AuditEntry.objects.filter(seq__in=wanted).order_by("seq")
    return [[s, h] for s, h in rows.values_list("seq", "entry_hash")]


def _write_file(checkpoint: Checkpoint, created_at: datetime) -> Path:
    """Atomically: a reader sees the whole file or none of it."""
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{created_at:%Y%m%dT%H%M%S%fZ}-{checkpoint.seq:012d}.json"
    body = {
        "payload": checkpoint.payload_text,
        "signature": checkpoint.signature,
        "tsa_token": checkpoint.tsa_token,
    }
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, folder / name)
    return folder / name


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def audit_checkpoint(now: datetime | None = None) -> AuditCheckpoint:
    """Integrate what is pending, sign the head, store row and file, note it in the trail.
    Needs the private key (worker, beat, management command). The optional time-stamp request
    runs under the chain lock: it delays the sequencer (never the writers) by at most its
    timeout, once per interval."""
    key = keys.private_key()
    audit_sequence()
    with transaction.atomic():
        lock_chain()
        # Taken under the lock, so checkpoints' times follow their order.
        created_at = (now or timezone.now()).astimezone(UTC)
        seq, head_hash = chain_head()
        previous = _newest_file_checkpoint()
        latest_row = AuditCheckpoint.objects.order_by("-seq", "-created_at").first()
        if previous is None and latest_row is not None:
            previous = from_row(latest_row)
        payload = {
            "version": 1,
            "clinic": settings.CLINIC_NAME,
            "seq": seq,
            "head_hash": head_hash,
            "created_at": created_at.isoformat(),
            "prev_checkpoint_hash": previous.checkpoint_hash if previous else GENESIS_HASH,
            "key_id": keys.key_id(key.public_key()),
            "witnesses": _witnesses(previous.seq if previous else 0, seq),
        }
        text = _canonical(payload)
        token = ""
        if settings.AUDIT_TSA_URL:
            token = base64.b64encode(timestamps.request_token(text.encode("utf-8"))).decode()
        checkpoint = Checkpoint("new", text, key.sign(text.encode("utf-8")).hex(), token, payload)
        row = AuditCheckpoint.objects.create(
            seq=seq,
            head_hash=head_hash,
            created_at=created_at,
            prev_checkpoint_hash=checkpoint.prev_hash,
            checkpoint_hash=checkpoint.checkpoint_hash,
            payload=text,
            signature=checkpoint.signature,
            key_id=keys.key_id(key.public_key()),
            tsa_token=token,
        )
        _write_file(checkpoint, created_at)
        audit_record(
            action=CHECKPOINT_ACTION,
            target=f"core.auditcheckpoint:{row.pk}",
            data={"seq": seq, "head_hash": head_hash, "checkpoint_hash": row.checkpoint_hash},
        )
    return row
