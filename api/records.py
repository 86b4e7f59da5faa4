"""Sealed records of a case (consent PDFs, approved plan PDFs): the one place the API, the FHIR
export and the records-request archive read sealed PDF bytes, so moving the records to their
own app changes this module only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consent.models import ConsentPdf
from planning.treatment.models import DosingPlan

CONSENT, PLAN = "consent", "plan"
KINDS = (CONSENT, PLAN)


@dataclass(frozen=True)
class SealedRecord:
    kind: str
    id: int  # the consent signature's id, or the plan's id (how the pages address them)
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
    """The case's sealed PDFs, oldest first; with `record_id`, that one record of each kind."""
    found: list[SealedRecord] = []
    if CONSENT in kinds:
        consents = ConsentPdf.objects.filter(signature__case_id=case_id).select_related(
            "signature__version"
        )
        if record_id is not None:
            consents = consents.filter(signature_id=record_id)
        for pdf in consents:
            data = bytes(pdf.pdf)
            title = (
                f"Consent {pdf.signature.version.label}, signed {pdf.signature.signed_at:%Y-%m-%d}"
            )
            found.append(
                SealedRecord(
                    CONSENT,
                    pdf.signature_id,
                    case_id,
                    title,
                    pdf.sha256,
                    pdf.created_at,
                    len(data),
                    data if with_bytes else None,
                )
            )
    if PLAN in kinds:
        plans = DosingPlan.objects.filter(case_id=case_id).exclude(pdf_sha256="")
        if record_id is not None:
            plans = plans.filter(pk=record_id)
        for plan in plans:
            data = bytes(plan.pdf or b"")
            assert plan.approved_at is not None
            found.append(
                SealedRecord(
                    PLAN,
                    plan.pk,
                    case_id,
                    f"Dosing plan v{plan.version}",
                    plan.pdf_sha256,
                    plan.approved_at,
                    len(data),
                    data if with_bytes else None,
                )
            )
    return sorted(found, key=lambda r: (r.created_at, r.kind, r.id))
