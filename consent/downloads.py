"""Handing out a sealed PDF: one place, so every download is audited the same way."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from consent.models import ConsentPdf
from core.audit import audit_record
from core.models import User


def record_for_signature(signature_id: int, *, actor: User | None, via: str) -> ConsentPdf:
    record = (
        ConsentPdf.objects.select_related("signature__patient", "signature__version")
        .filter(signature_id=signature_id)
        .first()
    )
    if record is None:
        raise Http404("The sealed PDF is not ready yet. Please try again in a minute.")
    return audit_download(record, actor=actor, via=via)


def audit_download(record: ConsentPdf, *, actor: User | None, via: str) -> ConsentPdf:
    """Every hand-out of a sealed PDF is in the audit trail."""
    signature = record.signature
    audit_record(
        action="consent.pdf.download",
        actor=actor,
        actor_label="" if actor else f"patient via consent link ({signature.patient.full_name})",
        case_id=signature.case_id,
        patient_id=signature.patient_id,
        target=signature.audit_target,
        data={"sha256": record.sha256, "via": via},
    )
    return record


def pdf_response(record: ConsentPdf) -> HttpResponse:
    signature = record.signature
    name = f"consent-{signature.patient.mrn}-{signature.version.label}-{signature.pk}.pdf"
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in name)
    response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Cache-Control"] = "no-store"
    return response
