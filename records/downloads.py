"""Handing out a sealed PDF: one place for the response of every kind.

The caller has already decided that this person may have this record. Where that decision was
an access function of the table (`core.access`), the function wrote the download's one audit
entry and the view calls `record_response`; a download with no signed-in person (the patient's
signing link) calls `record_download`, which writes it here.
"""

from __future__ import annotations

from django.http import HttpResponse

from core.audit import audit_record
from core.models import User
from records.models import SealedRecord
from records.selectors import record_content


def record_download(
    record: SealedRecord, *, actor: User | None, via: str, actor_label: str = ""
) -> HttpResponse:
    """Exactly one `record.download` audit entry, then the bytes as an attachment."""
    audit_record(
        action="record.download",
        actor=actor,
        actor_label=actor_label,
        case_id=record.case_id,
        patient_id=record.patient_id,
        target=record.audit_target,
        data={
            "kind": record.kind,
            "owner_id": record.owner_id,
            "version": record.version,
            "sha256": record.sha256,
            "via": via,
        },
    )
    return record_response(record)


def record_response(record: SealedRecord, *, inline: bool = False) -> HttpResponse:
    """The sealed bytes as an attachment, or `inline` to open in the browser's PDF viewer (the
    one read of the bytes; no audit entry here)."""
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in record.file_name)
    response = HttpResponse(record_content(record), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{safe or "record.pdf"}"'
    response["Cache-Control"] = "no-store"
    return response
