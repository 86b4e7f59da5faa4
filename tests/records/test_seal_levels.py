"""Seals that last: certification permitting no changes (DocMDP P=1), an RFC 3161 time-stamp,
embedded validation data and document time-stamps (PAdES B-LTA), verified offline; nothing but
long-term-validation revisions may follow a seal."""

from __future__ import annotations

import hashlib
import io
import socket
from datetime import timedelta

import pypdf
import pytest
from asn1crypto import cms, tsp
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from records import sealing
from records.models import RecordOrigin, SealedRecord
from records.render import render_pdf
from records.validation import verify_pdf

HTML = "<html><body><h1>Record of Ada Example</h1><div class='seal-reserve'></div></body></html>"


@pytest.fixture(scope="module")
def lta(test_pki) -> bytes:
    return sealing.seal_pdf(
        render_pdf(HTML, title="Test record"),
        key_pem=test_pki.key.read_bytes(),
        cert_pem=test_pki.cert.read_bytes(),
        reason="Test",
        location="Test clinic",
        archival=sealing.Archival(test_pki.tsa_url, test_pki.root.read_bytes()),
    )


@pytest.fixture
def offline(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_seal_is_a_no_changes_certification_at_b_lta_verified_offline(
    lta, test_pki, offline
) -> None:
    result = verify_pdf(lta, trust_root_pem=test_pki.root.read_bytes())
    assert result.ok, result.problems
    assert result.level == "B-LTA" and result.certified_no_changes
    assert "Time-Stamping Authority" in result.timestamp_authority
    assert result.timestamp_at is not None and result.archive_expires_at is not None
    stamps = list(PdfFileReader(io.BytesIO(lta)).embedded_timestamp_signatures)
    assert len(stamps) == 1


def test_the_time_stamp_token_imprint_is_the_signature_hash(lta) -> None:
    seal = next(iter(PdfFileReader(io.BytesIO(lta)).embedded_regular_signatures))
    signer_info = seal.signer_info
    token = next(
        a["values"][0]
        for a in signer_info["unsigned_attrs"]
        if a["type"].native == "signature_time_stamp_token"
    )
    assert isinstance(token, cms.ContentInfo)
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    assert isinstance(tst_info, tsp.TSTInfo)
    imprint = tst_info["message_imprint"]
    assert imprint["hash_algorithm"]["algorithm"].native == "sha256"
    digest = hashlib.sha256(signer_info["signature"].native).digest()
    assert imprint["hashed_message"].native == digest


def _incremental(data: bytes, change) -> bytes:
    writer = pypdf.PdfWriter(io.BytesIO(data), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(data)
    return out.getvalue()


def test_an_annotation_naming_another_patient_is_not_permitted(lta, test_pki) -> None:
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FreeText"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 300, 80)]),
            NameObject("/Contents"): TextStringObject("Patient: Bram Other, MRN OTHER-9"),
        }
    )
    changed = _incremental(lta, lambda w: w.add_annotation(page_number=0, annotation=note))
    seal = next(iter(PdfFileReader(io.BytesIO(changed)).embedded_regular_signatures))
    context = ValidationContext(trust_roots=[_root(test_pki)], allow_fetching=False)
    # pyHanko's own validator, as a library (in a fresh thread if an event loop is running)
    status = sealing.outside_event_loop(lambda: validate_pdf_signature(seal, context))
    assert status.intact and not status.docmdp_ok
    result = verify_pdf(changed, trust_root_pem=test_pki.root.read_bytes())
    assert not result.ok
    assert any("modified after sealing" in p for p in result.problems)


def test_a_change_to_the_document_information_alone_is_refused(lta, test_pki) -> None:
    changed = _incremental(lta, lambda w: w.add_metadata({"/Title": "Someone else's record"}))
    result = verify_pdf(changed, trust_root_pem=test_pki.root.read_bytes())
    assert result.intact and not result.ok
    assert any("modified after sealing" in p for p in result.problems)


def test_the_clinics_own_archive_renewal_passes(lta, test_pki) -> None:
    archival = sealing.Archival(test_pki.tsa_url, test_pki.root.read_bytes())
    renewed = sealing.renew_archive_timestamp(lta, archival=archival)
    assert renewed.startswith(lta) and len(renewed) > len(lta)
    result = verify_pdf(renewed, trust_root_pem=test_pki.root.read_bytes())
    assert result.ok, result.problems
    assert result.level == "B-LTA"
    assert len(list(PdfFileReader(io.BytesIO(renewed)).embedded_timestamp_signatures)) == 2


@pytest.mark.django_db
def test_the_beat_job_renews_due_archives_once(owner, settings) -> None:
    from records.services import sealed_records_renew_due

    first = owner.seal()
    assert first.seal_level == "B-LTA" and first.archive_expires_at is not None
    settings.SEAL_RENEW_BEFORE_DAYS = 365 * 40  # every archive is due
    later = timezone.now() + timedelta(days=31)
    (renewed_id,) = sealed_records_renew_due(now=later)
    renewed = SealedRecord.objects.get(pk=renewed_id)
    assert renewed.supersedes_id == first.pk and renewed.origin == RecordOrigin.RENEWED
    assert renewed.version == 2 and renewed.seal_level == "B-LTA"
    tomorrow = timezone.now() + timedelta(days=1)
    assert sealed_records_renew_due(now=tomorrow) == []  # renewed this month: not due again


def _root(test_pki):
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(str(test_pki.root))
