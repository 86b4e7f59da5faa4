"""Reading sealed records in tests (the bytes live in their own table)."""

from __future__ import annotations

from records.models import RecordKind, SealedRecord
from records.selectors import record_content, record_latest


def latest(kind: RecordKind, owner_id: int) -> SealedRecord:
    record = record_latest(kind, owner_id)
    assert record is not None, f"no sealed {kind} record for #{owner_id}"
    return record


def pdf_of(kind: RecordKind, owner_id: int) -> bytes:
    return record_content(latest(kind, owner_id))


def count(kind: RecordKind) -> int:
    return SealedRecord.objects.filter(kind=kind).count()
