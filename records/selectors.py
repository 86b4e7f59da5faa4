"""Reads of sealed records. Only `record_content` reads the PDF bytes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from records.models import RecordKind, SealedRecord, SealedRecordContent


def record_latest(kind: RecordKind, owner_id: int) -> SealedRecord | None:
    return SealedRecord.objects.filter(kind=kind, owner_id=owner_id).order_by("-version").first()


def records_latest_by_owner(kind: RecordKind, owner_ids: Iterable[int]) -> dict[int, SealedRecord]:
    """The latest record of each owner, in one query (for lists and panels)."""
    latest: dict[int, SealedRecord] = {}
    rows = SealedRecord.objects.filter(kind=kind, owner_id__in=list(owner_ids))
    for record in rows.order_by("owner_id", "version"):
        latest[record.owner_id] = record
    return latest


def record_versions(kind: RecordKind, owner_id: int) -> list[SealedRecord]:
    return list(SealedRecord.objects.filter(kind=kind, owner_id=owner_id).order_by("-version"))


def record_by_sha256(sha256: str) -> SealedRecord | None:
    return SealedRecord.objects.filter(sha256=sha256).first()


def sealed_owner_ids(kind: RecordKind) -> QuerySet[SealedRecord, int]:
    """A subquery of the owners that have a record of this kind (for "still missing" sweeps)."""
    return SealedRecord.objects.filter(kind=kind).values_list("owner_id", flat=True)


def record_content(record: SealedRecord) -> bytes:
    """The sealed bytes of one record (the only query that selects them)."""
    data = SealedRecordContent.objects.values_list("pdf_bytes", flat=True).get(record=record)
    return bytes(data)
