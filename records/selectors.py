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


def records_of_case(case_id: int) -> list[SealedRecord]:
    """Every record stored with this case (any kind, every version, no bytes), in one query, in
    (kind, owner, version) order: the case page's panels pick theirs with the helpers below."""
    rows = SealedRecord.objects.filter(case_id=case_id)
    return list(rows.order_by("kind", "owner_id", "version"))


def latest_of_owners(
    records: Iterable[SealedRecord], kind: RecordKind, owner_ids: Iterable[int]
) -> dict[int, SealedRecord]:
    """`records_latest_by_owner` over records already read."""
    wanted = set(owner_ids)
    latest: dict[int, SealedRecord] = {}
    for record in sorted(records, key=lambda r: (r.owner_id, r.version)):
        if record.kind == kind and record.owner_id in wanted:
            latest[record.owner_id] = record
    return latest


def versions_of_owner(
    records: Iterable[SealedRecord], kind: RecordKind, owner_id: int
) -> list[SealedRecord]:
    """`record_versions` (newest first) over records already read."""
    mine = [r for r in records if r.kind == kind and r.owner_id == owner_id]
    return sorted(mine, key=lambda r: r.version, reverse=True)
