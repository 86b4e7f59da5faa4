"""Reading sealed records in tests (the bytes live in their own table)."""

from __future__ import annotations

import hashlib

from records.models import RecordKind, SealedRecord, SealedRecordContent
from records.selectors import record_content, record_latest


def latest(kind: RecordKind, owner_id: int) -> SealedRecord:
    record = record_latest(kind, owner_id)
    assert record is not None, f"no sealed {kind} record for #{owner_id}"
    return record


def pdf_of(kind: RecordKind, owner_id: int) -> bytes:
    return record_content(latest(kind, owner_id))


def count(kind: RecordKind) -> int:
    return SealedRecord.objects.filter(kind=kind).count()


def stored_record(
    kind: RecordKind, owner_id: int, *, case_id: int, patient_id: int, data: bytes
) -> SealedRecord:
    record = SealedRecord.objects.create(
        kind=kind,
        owner_id=owner_id,
        owner_label=f"{kind} #{owner_id}",
        case_id=case_id,
        patient_id=patient_id,
        file_name=f"{kind}-{owner_id}.pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        sealed_by="test",
    )
    SealedRecordContent.objects.create(record=record, pdf_bytes=data)
    return record
