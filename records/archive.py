"""One patient's sealed records in one ZIP: every PDF exactly as sealed, and a readable summary
(`summary.html`) listing each with its SHA-256, so the patient (or anyone they give it to) can
match each file and check it on the clinic's verification page or with any PDF reader.

Built in the request, bounded by `PATHWAY_ARCHIVE_MAX_BYTES`: the PDFs are stored already
sealed, so the archive is a copy of stored bytes (ZIP_STORED: PDFs are compressed already)
and takes milliseconds; a background job would have to keep a second copy of the records at
rest until it is fetched. The caller decides who may have which records and audits the request.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from records.models import SealedRecord
from records.selectors import record_content

SUMMARY_NAME = "summary.html"


class ArchiveTooLarge(RuntimeError):
    """The records together exceed the archive's bound."""


@dataclass(frozen=True)
class ArchiveEntry:
    record: SealedRecord
    path: str  # inside the ZIP


def archive_max_bytes() -> int:
    return int(getattr(settings, "PATHWAY_ARCHIVE_MAX_BYTES", 50 * 1024 * 1024))


def archive_entries(records: list[SealedRecord]) -> list[ArchiveEntry]:
    """Each record's path in the archive: unique, readable, safe on every file system."""
    entries = []
    for record in records:
        stem = "".join(c if c.isalnum() or c in "-._" else "_" for c in record.file_name)
        stem = stem.removesuffix(".pdf") or "record"
        path = f"records/{record.kind}-{record.owner_id}-v{record.version}-{stem}.pdf"
        entries.append(ArchiveEntry(record=record, path=path))
    return entries


def records_archive(records: list[SealedRecord], *, holder: str, generated_at: datetime) -> bytes:
    """The ZIP's bytes; raises ArchiveTooLarge before reading a byte when over the bound."""
    if sum(record.size for record in records) > archive_max_bytes():
        raise ArchiveTooLarge(f"{len(records)} records exceed the archive's size bound")
    entries = archive_entries(records)
    summary = render_to_string(
        "records/archive_summary.html",
        {
            "entries": entries,
            "holder": holder,
            "generated_at": generated_at,
            "clinic_name": settings.CLINIC_NAME,
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(SUMMARY_NAME, summary.encode(), compress_type=zipfile.ZIP_DEFLATED)
        for entry in entries:
            archive.writestr(entry.path, record_content(entry.record))
    return buffer.getvalue()
