"""Every kind of sealed record (consent, plan, REMS form, case summary) goes through the one
pipeline: it is verified before it is stored, stored once, and every download is audited once."""

from __future__ import annotations

import hashlib

import pytest

from core.models import AuditEntry
from records import sealing, validation
from records.models import ImmutableRecordError, SealedRecord, SealedRecordContent
from records.pipeline import SealVerificationFailed
from records.selectors import record_content
from tests.records.conftest import stored

pytestmark = pytest.mark.django_db


def test_a_record_is_sealed_verified_and_stored_once(owner) -> None:
    record = owner.seal()
    again = owner.seal()
    assert again.pk == record.pk and stored(owner.kind, owner.owner_id) == 1
    data = record_content(record)
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size == len(data)
    assert record.case_id == owner.case.pk and record.patient_id == owner.case.patient_id
    assert validation.verify_pdf(data, trust_root_pem=_trust_root()).ok
    assert (
        AuditEntry.objects.filter(action="record.sealed", target=record.audit_target).count() == 1
    )


def test_a_seal_that_does_not_verify_stores_nothing(owner, monkeypatch) -> None:
    real = sealing.seal_pdf

    def tampered(pdf: bytes, **kwargs) -> bytes:  # a faulty seal step: bytes change after signing
        return real(pdf, **kwargs).replace(b"/Type /Catalog", b"/Type /Catalog ", 1)

    monkeypatch.setattr(sealing, "seal_pdf", tampered)
    with pytest.raises(SealVerificationFailed, match="did not verify"):
        owner.seal()
    assert stored(owner.kind, owner.owner_id) == 0
    assert not SealedRecordContent.objects.exists()
    assert AuditEntry.objects.filter(action="record.seal_refused").count() == 1


def test_each_download_writes_exactly_one_audit_entry(owner, staff_client) -> None:
    """The access function of the table writes the download's one entry (core.access)."""
    record = owner.seal()
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = staff_client.get(owner.download_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response) == record_content(record)
    entries = AuditEntry.objects.filter(seq__gt=last)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.case_id == owner.case.pk and entry.patient_id == owner.case.patient_id
    assert (
        entry.data.get("sha256", record.sha256) == record.sha256
    )  # the REMS read names the session


def test_a_sealed_record_is_never_edited_or_deleted(owner) -> None:
    record = owner.seal()
    record.owner_label = "something else"
    with pytest.raises(ImmutableRecordError):
        record.save()
    with pytest.raises(ImmutableRecordError):
        SealedRecord.objects.filter(pk=record.pk).update(sha256="0" * 64)
    with pytest.raises(ImmutableRecordError):
        SealedRecordContent.objects.filter(record=record).delete()


def _trust_root() -> bytes:
    from records.keys import trust_root_pem

    return trust_root_pem()
