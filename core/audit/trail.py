"""Verifying the whole trail: the chain, and the chain against its newest signed checkpoint.

The checkpoint files are authoritative: a database row that disagrees with them, or that has
no file, is itself a finding. "An older file put in place of the newest" is caught three ways:
the files must link (each names its predecessor's hash), the newest file must be at least as
new as the newest database row, and the newest `audit.checkpoint` entry in the trail must name
a checkpoint that a file still holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from core.audit import keys
from core.audit.chain import ChainVerification, altered_pending, verify_chain
from core.audit.checkpoints import (
    CHECKPOINT_ACTION,
    Checkpoint,
    checkpoint_files,
    from_row,
    read_file,
)
from core.models import AuditCheckpoint, AuditEntry


@dataclass(frozen=True)
class Problem:
    kind: str  # broken | truncated | rewritten | missing | stale | replaced | forged | pending
    message: str
    first_bad_seq: int | None = None

    def __str__(self) -> str:
        where = f" (first bad entry #{self.first_bad_seq})" if self.first_bad_seq else ""
        return f"{self.kind}: {self.message}{where}"


@dataclass
class TrailReport:
    chain: ChainVerification
    anchor: Checkpoint | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str, first_bad_seq: int | None = None) -> None:
        self.problems.append(Problem(kind, message, first_bad_seq))


def verify_trail(now: datetime | None = None) -> TrailReport:
    """Everything `audit_verify` reports. Run the sequencer first to cover recent entries."""
    report = TrailReport(chain=verify_chain())
    chain = report.chain
    if not chain.ok:
        report.add(
            "broken",
            f"Audit chain broken at entry #{chain.first_bad_seq}: {chain.problem} "
            f"({chain.checked} entries before it are intact).",
            chain.first_bad_seq,
        )
    for pk in altered_pending():
        report.add("pending", f"pending entry id {pk} was altered before it was chained.")
    key = keys.public_key()
    files = _valid_files(report, key)
    rows = _valid_rows(report, key, {c.checkpoint_hash for c in files})
    anchor = _choose_anchor(report, files, rows)
    report.anchor = anchor
    if anchor is None:
        _check_missing(report, now)
    else:
        _check_against(report, anchor, files)
        _check_stale(report, anchor, now)
    return report


def _valid_files(report: TrailReport, key: Ed25519PublicKey | None) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    for path in checkpoint_files():
        checkpoint = _read(report, path)
        if checkpoint is None:
            continue
        if key is None:
            report.add("forged", "no public key configured: checkpoint signatures unchecked.")
            return []
        if not checkpoint.signature_ok(key):
            report.add("forged", f"checkpoint {checkpoint.source}: signature does not verify.")
        elif not checkpoint.timestamp_ok():
            report.add("forged", f"checkpoint {checkpoint.source}: time-stamp token mismatch.")
        else:
            found.append(checkpoint)
    found.sort(key=lambda c: (c.seq, c.created_at))
    for before, after in pairwise(found):
        if after.prev_hash != before.checkpoint_hash:
            report.add(
                "replaced",
                f"checkpoint {after.source} does not name {before.source} as its predecessor: "
                "a checkpoint file between them was removed or replaced.",
            )
    return found


def _read(report: TrailReport, path: Path) -> Checkpoint | None:
    try:
        return read_file(path)
    except (OSError, ValueError, KeyError) as exc:
        report.add("forged", f"checkpoint file {path.name} is unreadable: {exc}")
        return None


def _valid_rows(
    report: TrailReport, key: Ed25519PublicKey | None, file_hashes: set[str]
) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    for row in AuditCheckpoint.objects.order_by("seq", "created_at"):
        checkpoint = from_row(row)
        if key is not None and not checkpoint.signature_ok(key):
            report.add("forged", f"checkpoint {checkpoint.source} was altered (bad signature).")
            continue
        if not checkpoint.timestamp_ok():
            report.add("forged", f"checkpoint {checkpoint.source}: time-stamp token mismatch.")
        if file_hashes and checkpoint.checkpoint_hash not in file_hashes:
            report.add(
                "replaced",
                f"checkpoint at #{checkpoint.seq} ({checkpoint.source}) has no file: the file "
                "was deleted or replaced with an older one.",
            )
        found.append(checkpoint)
    return found


def _choose_anchor(
    report: TrailReport, files: list[Checkpoint], rows: list[Checkpoint]
) -> Checkpoint | None:
    newest_file = files[-1] if files else None
    newest_row = rows[-1] if rows else None
    if newest_row is not None and newest_file is None:
        report.add("missing", "checkpoint rows exist but no checkpoint file does.")
        return newest_row
    if newest_file is not None and newest_row is not None and newest_file.seq < newest_row.seq:
        report.add(
            "replaced",
            f"the newest checkpoint file (at #{newest_file.seq}) is older than the database's "
            f"newest checkpoint (at #{newest_row.seq}): it was replaced with an older one.",
        )
    _check_recorded(report, newest_file, files)
    return newest_file


def _check_recorded(
    report: TrailReport, newest_file: Checkpoint | None, files: list[Checkpoint]
) -> None:
    """The trail's own note of its newest checkpoint must match a file."""
    recorded = (
        AuditEntry.objects.filter(action=CHECKPOINT_ACTION, seq__isnull=False)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    if not isinstance(recorded, dict):
        return
    hashes = {c.checkpoint_hash for c in files}
    seq = recorded.get("seq")
    if recorded.get("checkpoint_hash") not in hashes or (
        newest_file is not None and isinstance(seq, int) and newest_file.seq < seq
    ):
        report.add(
            "replaced" if files else "missing",
            f"the trail records a checkpoint at #{seq} that no checkpoint file holds: "
            "the newest file was deleted or replaced with an older one.",
        )


def _check_against(report: TrailReport, anchor: Checkpoint, files: list[Checkpoint]) -> None:
    entry_hash = _stored_hash(anchor.seq)
    if anchor.seq == 0 or entry_hash == anchor.head_hash:
        return
    first_bad, detail = _locate(anchor, files)
    if entry_hash is None:
        last_seq = (
            AuditEntry.objects.filter(seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", flat=True)
            .first()
        ) or 0
        report.add(
            "truncated",
            f"the checkpointed head #{anchor.seq} is gone and the trail ends at #{last_seq}: "
            "entries were deleted.",
            min(first_bad or last_seq + 1, last_seq + 1),
        )
        return
    report.add(
        "rewritten",
        f"entry #{anchor.seq} no longer has the hash its checkpoint signed: the trail was "
        f"rewritten and re-hashed{detail}.",
        first_bad,
    )


def _stored_hash(seq: int) -> str | None:
    return AuditEntry.objects.filter(seq=seq).values_list("entry_hash", flat=True).first()


def _locate(anchor: Checkpoint, files: list[Checkpoint]) -> tuple[int | None, str]:
    """The first witnessed entry whose hash differs from what a checkpoint signed. Once the
    trail diverges at entry k, every checkpoint at or after k disagrees and every one before
    it agrees, so a binary search finds the first disagreeing checkpoint in log(n) queries;
    its witnesses (the entries since its predecessor) then locate k."""
    signed = sorted({c.checkpoint_hash: c for c in [*files, anchor]}.values(), key=lambda c: c.seq)
    signed = [c for c in signed if 0 < c.seq <= anchor.seq]
    low, high = 0, len(signed) - 1
    while low < high:
        middle = (low + high) // 2
        if _stored_hash(signed[middle].seq) != signed[middle].head_hash:
            high = middle
        else:
            low = middle + 1
    if not signed:
        return None, ""
    witnesses = signed[low].witnesses()
    stored = dict(
        AuditEntry.objects.filter(seq__in=[s for s, _ in witnesses]).values_list(
            "seq", "entry_hash"
        )
    )
    previous = signed[low - 1].seq if low > 0 else 0
    for seq, signed_hash in witnesses:
        if stored.get(seq) != signed_hash:
            exact = seq == previous + 1
            where = "" if exact else f"; the change lies between #{previous + 1} and #{seq}"
            return seq, where
        previous = seq
    return None, ""


def _interval() -> timedelta:
    return timedelta(seconds=settings.AUDIT_CHECKPOINT_INTERVAL_SECONDS)


def _check_stale(report: TrailReport, anchor: Checkpoint, now: datetime | None) -> None:
    age = (now or timezone.now()) - anchor.created_at
    if age > 2 * _interval():
        report.add(
            "stale",
            f"the newest checkpoint is from {anchor.created_at:%Y-%m-%d %H:%M} UTC, older than "
            f"twice the interval ({settings.AUDIT_CHECKPOINT_INTERVAL_SECONDS} s).",
        )


def _check_missing(report: TrailReport, now: datetime | None) -> None:
    oldest = AuditEntry.objects.order_by("id").values_list("created_at", flat=True).first()
    if oldest is not None and (now or timezone.now()) - oldest > 2 * _interval():
        report.add(
            "missing",
            "no checkpoint anchors the trail, though entries older than twice the checkpoint "
            "interval exist (is beat running? `python manage.py audit_checkpoint` makes one).",
        )
