"""Sealed records of a case (consent PDFs, approved plan PDFs, REMS monitoring forms, case
summaries): the one place the API, the FHIR export and the records-request archive read sealed
PDF bytes, so moving the records to their own app changes this module only. Every kind of
`records.RecordKind` is listed here (tests/api/test_records.py checks it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from records.models import RecordKind
from records.models import SealedRecord as Stored
from records.selectors import record_content

CONSENT, PLAN = RecordKind.CONSENT.value, RecordKind.PLAN.value
REMS, CASE_SUMMARY = RecordKind.REMS.value, RecordKind.CASE_SUMMARY.value
KINDS = (CONSENT, PLAN, REMS, CASE_SUMMARY)
_KIND = {kind.value: kind for kind in RecordKind}
_LABELS = {
    CONSENT: "Consent signature",
    PLAN: "Dosing plan",
    REMS: "REMS monitoring form",
    CASE_SUMMARY: "Case summary",
}


@dataclass(frozen=True)
class SealedRecord:
    kind: str
    id: int  # the owner's id: consent signature, plan, treatment session (REMS) or case (summary)
    case_id: int
    title: str
    sha256: str
    created_at: datetime
    size: int
    pdf: bytes | None  # only when asked for

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.case_id}-{self.id}.pdf"


def sealed_records(
    case_id: int,
    *,
    kinds: tuple[str, ...] = KINDS,
    record_id: int | None = None,
    with_bytes: bool = False,
) -> list[SealedRecord]:
    """The case's sealed PDFs (the latest version of each), oldest first; with `record_id`, that
    one record of each kind. The bytes are read only when asked for."""
    rows = Stored.objects.filter(case_id=case_id, kind__in=[_KIND[k] for k in kinds])
    if record_id is not None:
        rows = rows.filter(owner_id=record_id)
    latest: dict[tuple[str, int], Stored] = {}
    for row in rows.order_by("kind", "owner_id", "version"):
        latest[(row.kind, row.owner_id)] = row
    found = [
        SealedRecord(
            row.kind,
            row.owner_id,
            case_id,
            _title(row),
            row.sha256,
            row.created_at,
            row.size,
            record_content(row) if with_bytes else None,
        )
        for row in latest.values()
    ]
    return sorted(found, key=lambda r: (r.created_at, r.kind, r.id))


def _title(row: Stored) -> str:
    label = _LABELS.get(row.kind, row.kind)
    return f"{label} #{row.owner_id}, sealed {row.created_at:%Y-%m-%d} (v{row.version})"
