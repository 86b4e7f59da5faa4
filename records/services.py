"""Every write of sealed records: sealing a new record (or a new version of one)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from records import keys, sealing, validation
from records.models import RecordKind, RecordOrigin, SealedRecord, SealedRecordContent
from records.pipeline import RenderRequest, SealedPdf, SealVerificationFailed, render_seal_verify
from records.selectors import record_content, record_latest

__all__ = [
    "RecordOwner",
    "sealed_record_create",
    "sealed_record_current",
    "sealed_record_renew",
    "sealed_records_renew_due",
]


@dataclass(frozen=True)
class RecordOwner:
    """Whose record this is, as plain values (records never imports consent or planning)."""

    kind: RecordKind
    owner_id: int
    label: str
    file_name: str
    case_id: int | None
    patient_id: int | None


def sealed_record_create(
    *,
    owner: RecordOwner,
    render: RenderRequest,
    layout_version: str = "1",
    supersedes: SealedRecord | None = None,
    origin: RecordOrigin = RecordOrigin.SEALED,
) -> SealedRecord:
    """Render, seal, verify and store one record; verified bytes only are ever stored.

    A failed verification is audited and raises SealVerificationFailed with nothing stored.
    `supersedes` makes this the next version of that record (the old one stays as it is). Two
    workers sealing the same version at once: the first stored wins and is returned.
    """
    try:
        sealed = render_seal_verify(render)
    except SealVerificationFailed as exc:
        _audit_refusal(owner, str(exc))
        raise
    source_sha256 = hashlib.sha256(render.html.encode("utf-8")).hexdigest()
    return _store(owner, sealed, layout_version, supersedes, origin, source_sha256)


def sealed_record_current(
    *,
    kind: RecordKind,
    owner_id: int,
    owner: Callable[[int], RecordOwner],
    render: RenderRequest,
    layout_version: str,
) -> tuple[SealedRecord, bool]:
    """The owner's record for this content: the latest one when its HTML and layout are
    unchanged (False), otherwise a new version superseding it (True). `owner(version)` names
    the version about to be sealed (labels and file names carry it)."""
    latest = record_latest(kind, owner_id)
    source = hashlib.sha256(render.html.encode("utf-8")).hexdigest()
    if latest and latest.source_sha256 == source and latest.layout_version == layout_version:
        return latest, False
    record = sealed_record_create(
        owner=owner(latest.version + 1 if latest else 1),
        render=render,
        layout_version=layout_version,
        supersedes=latest,
        origin=RecordOrigin.REGENERATED if latest else RecordOrigin.SEALED,
    )
    return record, True


def _store(
    owner: RecordOwner,
    sealed: SealedPdf,
    layout_version: str,
    supersedes: SealedRecord | None,
    origin: RecordOrigin,
    source_sha256: str,
) -> SealedRecord:
    version = supersedes.version + 1 if supersedes else 1
    try:
        with transaction.atomic():
            record = SealedRecord.objects.create(
                kind=owner.kind,
                owner_id=owner.owner_id,
                owner_label=owner.label[:500],
                case_id=owner.case_id,
                patient_id=owner.patient_id,
                version=version,
                supersedes=supersedes,
                origin=origin,
                layout_version=layout_version,
                source_sha256=source_sha256,
                file_name=owner.file_name[:200],
                sha256=hashlib.sha256(sealed.data).hexdigest(),
                size=len(sealed.data),
                sealed_by=sealed.check.signer_subject[:400],
                seal_level=sealed.check.level,
                timestamped_at=sealed.check.timestamp_at,
                timestamp_authority=sealed.check.timestamp_authority[:400],
                archive_expires_at=sealed.check.archive_expires_at,
            )
            SealedRecordContent.objects.create(record=record, pdf_bytes=sealed.data)
            audit_record(
                action="record.sealed",
                actor_label="system",
                case_id=owner.case_id,
                patient_id=owner.patient_id,
                target=record.audit_target,
                data=_describe(record),
            )
    except IntegrityError:  # another worker stored this version first: keep theirs
        return SealedRecord.objects.get(kind=owner.kind, owner_id=owner.owner_id, version=version)
    return record


def _describe(record: SealedRecord) -> dict[str, object]:
    return {
        "kind": record.kind,
        "owner_id": record.owner_id,
        "version": record.version,
        "origin": record.origin,
        "layout_version": record.layout_version,
        "sha256": record.sha256,
        "seal_level": record.seal_level,
    }


def _audit_refusal(owner: RecordOwner, problem: str) -> None:
    audit_record(
        action="record.seal_refused",
        actor_label="system",
        case_id=owner.case_id,
        patient_id=owner.patient_id,
        target=f"{owner.kind}:{owner.owner_id}",
        data={"problem": problem[:2000]},
    )


def sealed_record_renew(*, record: SealedRecord) -> SealedRecord:
    """A new version of `record` with fresh validation data and a new archive time-stamp
    appended (the bytes before them unchanged); verified before it is stored."""
    archival = keys.archival()
    if archival is None:
        raise SealVerificationFailed("No time-stamping authority is configured (PATHWAY_TSA_URL).")
    renewed = sealing.renew_archive_timestamp(record_content(record), archival=archival)
    check = validation.verify_pdf(renewed, trust_root_pem=keys.trust_root_pem())
    owner = RecordOwner(
        kind=RecordKind(record.kind),
        owner_id=record.owner_id,
        label=record.owner_label,
        file_name=record.file_name,
        case_id=record.case_id,
        patient_id=record.patient_id,
    )
    if not check.ok or check.level != "B-LTA":
        _audit_refusal(
            owner, "renewed archive time-stamp did not verify: " + "; ".join(check.problems)
        )
        raise SealVerificationFailed("The renewed record did not verify and was not stored.")
    sealed = SealedPdf(data=renewed, check=check)
    return _store(
        owner, sealed, record.layout_version, record, RecordOrigin.RENEWED, record.source_sha256
    )


def sealed_records_renew_due(*, now: datetime | None = None) -> list[int]:
    """Renew every current record whose archive time-stamp certificate expires within
    SEAL_RENEW_BEFORE_DAYS; returns the ids of the new versions. Idempotent: a renewed record
    is superseded and its successor is not due."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.SEAL_RENEW_BEFORE_DAYS)
    due = SealedRecord.objects.filter(  # at most one renewal a month per record
        superseded_by__isnull=True,
        archive_expires_at__lt=horizon,
        created_at__lt=now - timedelta(days=30),
    ).order_by("pk")
    return [sealed_record_renew(record=record).pk for record in due[:100]]
