"""The sealed PDF of a consent signature (a `records.SealedRecord` of kind consent)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from records.downloads import record_download
from records.models import RecordKind, SealedRecord
from records.selectors import record_latest


def signature_record(signature_id: int) -> SealedRecord | None:
    return record_latest(RecordKind.CONSENT, signature_id)


def link_download(signature_id: int, *, patient_name: str) -> HttpResponse:
    """The patient's copy through the signing link (no signed-in user): audited by name."""
    record = signature_record(signature_id)
    if record is None:
        raise Http404("The sealed PDF is not ready yet. Please try again in a minute.")
    label = f"patient via consent link ({patient_name})"
    return record_download(record, actor=None, actor_label=label, via="link")
