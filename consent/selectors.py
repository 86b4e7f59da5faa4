"""Reads for consent pages and panels, each costing a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from consent.documents import current_versions
from consent.models import (
    ConsentCountersignature,
    ConsentDocument,
    ConsentRequest,
    ConsentSignature,
    ConsentVersion,
    ConsentWithdrawal,
    Countersignature,
    PaperCopyRequest,
)
from records.models import RecordKind, SealedRecord
from records.selectors import latest_of_owners, records_latest_by_owner


@dataclass(frozen=True)
class RequestRow:
    request: ConsentRequest
    signature: ConsentSignature | None
    pdf_ready: bool
    state: str
    countersignature: ConsentCountersignature | None = None
    awaiting_countersignature: bool = False


@dataclass(frozen=True)
class CasePanel:
    version: ConsentVersion | None
    rows: list[RequestRow]
    open_paper_tasks: list[PaperCopyRequest]
    latest_signature: ConsentSignature | None = None


def treatment_version() -> ConsentVersion | None:
    """The current version (`documents.current_version`) of the first treatment document, in
    one query."""
    first = ConsentDocument.objects.filter(kind=ConsentDocument.KIND_TREATMENT)
    document_id = Subquery(first.order_by("title", "pk").values("pk")[:1])
    return current_versions().filter(document_id=document_id).first()


def requests_for_case(case_id: int) -> QuerySet[ConsentRequest]:
    return (
        ConsentRequest.objects.filter(case_id=case_id)
        .select_related(
            "signature__version__document",
            "signature__patient",
            "signature__countersignature",
            "created_by",
            "link",
        )
        .order_by("-created_at")
    )


def _row(req: ConsentRequest, pdf_ids: set[int]) -> RequestRow:
    signature = getattr(req, "signature", None)
    state = req.get_status_display()
    if req.locked_at is not None:
        state = "Locked (too many wrong dates of birth)"
    elif req.status == ConsentRequest.Status.PENDING and req.is_expired():
        state = "Expired"
    ready = signature is not None and signature.pk in pdf_ids
    counter = countersignature_of(signature)
    awaiting = signature is not None and signature.needs_countersignature and counter is None
    if awaiting:
        state = "Signed, awaiting countersignature"
    return RequestRow(
        request=req,
        signature=signature,
        pdf_ready=ready,
        state=state,
        countersignature=counter,
        awaiting_countersignature=awaiting,
    )


def countersignature_of(signature: ConsentSignature | None) -> ConsentCountersignature | None:
    """The signature's countersignature, if one is recorded (read with the signature when it
    was selected with `select_related("countersignature")`)."""
    if signature is None:
        return None
    try:
        return signature.countersignature
    except ObjectDoesNotExist:
        return None


def sealable_signatures() -> QuerySet[ConsentSignature]:
    """Signatures whose consent is complete (no countersignature needed, or it exists): the
    ones that have, or are due, a sealed record."""
    return ConsentSignature.objects.filter(
        Q(countersignature_required=Countersignature.NONE) | Q(countersignature__isnull=False)
    )


def withdrawn_since_signing() -> Exists:
    """For a signature row: its case's consent was withdrawn at or after it was signed."""
    return Exists(
        ConsentWithdrawal.objects.filter(
            case_id=OuterRef("case_id"), withdrawn_at__gte=OuterRef("signed_at")
        )
    )


def signatures_awaiting_countersignature() -> QuerySet[ConsentSignature]:
    """Signatures whose document needed a witness's or clinician's countersignature, with none
    recorded and no withdrawal since: consents that are not complete yet (consent.countersign).
    The complement of `sealable_signatures` among signatures not withdrawn."""
    return (
        ConsentSignature.objects.filter(countersignature__isnull=True)
        .exclude(countersignature_required=Countersignature.NONE)
        .exclude(withdrawn_since_signing())
    )


def case_panel(
    case_id: int, *, records: Callable[[], list[SealedRecord]] | None = None
) -> CasePanel:
    """The newest 20 invitations, newest first. `records`: the case's sealed records as the
    page reads them for every panel (called only when a signature needs its PDF looked up)."""
    requests = list(requests_for_case(case_id)[:20])
    signature_ids = [r.signature.pk for r in requests if getattr(r, "signature", None)]
    pdf_ids = set(
        records_latest_by_owner(RecordKind.CONSENT, signature_ids)
        if records is None or not signature_ids
        else latest_of_owners(records(), RecordKind.CONSENT, signature_ids)
    )
    rows = [_row(r, pdf_ids) for r in requests]
    signatures = [row.signature for row in rows if row.signature is not None]
    paper = PaperCopyRequest.objects.filter(case_id=case_id, completed_at__isnull=True)
    return CasePanel(
        version=treatment_version(),
        rows=rows,
        open_paper_tasks=list(paper.order_by("created_at")),
        latest_signature=signatures[0] if signatures else None,
    )


def latest_signature_version_by_case(case_ids: list[int]) -> dict[int, int]:
    """For each case, the source version id of its most recent signature (a translation
    counts as the source version it renders; one query)."""
    latest: dict[int, int] = {}
    for case_id, version_id, source_id in (
        ConsentSignature.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "signed_at", "pk")
        .values_list("case_id", "version_id", "version__source_version_id")
    ):
        latest[case_id] = source_id or version_id
    return latest
