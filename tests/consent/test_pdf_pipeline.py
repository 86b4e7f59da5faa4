"""Render -> PDF/A-3b -> PAdES seal -> verify, without Django or a database.

Runs standalone (``pytest -p no:django``) and under pytest-django alike: no DB marks.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from records.render import DataOnlyURLFetcher, PdfAttachment, pdf_text, pdf_xmp_metadata, render_pdf
from records.sealing import DEFAULT_SEAL_BOX, make_self_signed_certificate, seal_pdf
from records.validation import verify_pdf

PATIENT = "Jane Q. Doe"
DOB = "DOB 1980-04-02"
RECORD = "Record MRN-004217"
VERSION = "Consent form v3"
DOC_HASH = "SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
REASON = "Informed consent recorded"

# A 1x1 transparent PNG: data: URIs are the only resources the renderer accepts.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()

PARAGRAPH = "Esketamine is given under supervision; you must not drive that day. " * 8


def record_html(body: str, *, paragraphs: int = 30, head: str = "") -> str:
    filler = "".join(f"<p>Section {i}. {PARAGRAPH}</p>" for i in range(paragraphs))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">{head}</head><body>
<div class="running" aria-hidden="true">
  <span class="running-patient-name">{PATIENT}</span>
  <span class="running-patient-dob">{DOB}</span>
  <span class="running-patient-record">{RECORD}</span>
  <span class="running-doc-version">{VERSION}</span>
  <span class="running-doc-hash">{DOC_HASH}</span>
</div>
<h1>Informed consent</h1>
{body}
{filler}
<div class="seal-reserve"></div>
</body></html>"""


@pytest.fixture(scope="module")
def seal_keys() -> tuple[bytes, bytes]:
    return make_self_signed_certificate(
        common_name="Pathway Test Clinic Seal", organization="Pathway Test Clinic"
    )


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_pdf(record_html(""), title="Informed consent", metadata={"author": "Test"})


@pytest.fixture(scope="module")
def sealed(rendered: bytes, seal_keys: tuple[bytes, bytes]) -> bytes:
    key_pem, cert_pem = seal_keys
    return seal_pdf(
        rendered, key_pem=key_pem, cert_pem=cert_pem, reason=REASON, location="Utrecht, NL"
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and block) every outgoing socket connection attempt."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def page_texts(pdf: bytes) -> list[str]:
    return pdf_text(pdf).split("\f")


# ---- rendering -------------------------------------------------------------------------


def test_header_and_footer_on_every_page(rendered: bytes) -> None:
    pages = page_texts(rendered)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        for expected in (PATIENT, DOB, RECORD, VERSION, DOC_HASH):
            assert expected in text, f"{expected!r} missing on page {number}"
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_claims_pdfa_3b(rendered: bytes) -> None:
    xmp = pdf_xmp_metadata(rendered)
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    reader = pypdf.PdfReader(io.BytesIO(rendered))
    assert reader.metadata is not None
    assert reader.metadata.title == "Informed consent"
    assert "/OutputIntents" in reader.root_object


def test_attachments_are_embedded(rendered: bytes) -> None:
    pdf = render_pdf(
        record_html("", paragraphs=1),
        title="With data",
        attachments=[PdfAttachment(name="consent.json", data=b'{"status": "active"}')],
    )
    attachments = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert attachments["consent.json"] == [b'{"status": "active"}']


def test_fetcher_refuses_everything_but_data_uris() -> None:
    fetcher = DataOnlyURLFetcher()
    for url in ("http://example.com/x.png", "https://example.com/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disabled"):
            fetcher.fetch(url)
    response = fetcher.fetch(f"data:image/png;base64,{PIXEL}")
    assert response.read().startswith(b"\x89PNG")


def test_external_resources_are_not_fetched(no_network: list[object], tmp_path: Path) -> None:
    """Local files and URLs stay out of the PDF; only the inline data: image is drawn."""
    (tmp_path / "local.css").write_text("p::after { content: 'LEAKED-CSS'; }")
    (tmp_path / "local.png").write_bytes(base64.b64decode(PIXEL))
    local = tmp_path.as_uri()
    head = (
        f'<link rel="stylesheet" href="{local}/local.css">'
        '<link rel="stylesheet" href="https://example.com/evil.css">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f"<style>@import url({local}/local.css);</style>"
    )
    body = (
        '<img src="http://example.com/x.png" alt="">'
        f'<img src="{local}/local.png" alt="">'
        '<a rel="attachment" href="file:///etc/hostname">att</a>'
        f'<img src="data:image/png;base64,{PIXEL}" alt="inline">'
        f'<p style="background: url({local}/local.png)">styled</p>'
    )
    pdf = render_pdf(record_html(body, paragraphs=1, head=head), title="Leak check")
    assert no_network == []
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert len(reader.pages[0].images) == 1  # the data: pixel only
    text = pdf_text(pdf)
    assert "LEAKED-CSS" not in text
    assert "styled" in text


def test_seal_reserve_keeps_stamp_corner_free(rendered: bytes) -> None:
    """No body text may sit where the stamp goes on the last page (footer is below it)."""
    x1, y1, x2, y2 = DEFAULT_SEAL_BOX
    hits: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        x = tm[4] * cm[0] + cm[4]
        y = tm[5] * cm[3] + cm[5]
        if text.strip() and x1 <= x <= x2 and y1 <= y <= y2:
            hits.append(text)

    last = pypdf.PdfReader(io.BytesIO(rendered)).pages[-1]
    last.extract_text(visitor_text=visit)
    assert hits == []


# ---- sealing and verification ----------------------------------------------------------


def test_seal_then_verify_ok(sealed: bytes, seal_keys: tuple[bytes, bytes]) -> None:
    result = verify_pdf(sealed, trust_root_pem=seal_keys[1])
    assert result.problems == []
    assert result.ok
    assert result.sealed
    assert result.intact
    assert result.trusted
    assert result.covers_whole_file
    assert "Pathway Test Clinic Seal" in result.signer_subject
    assert result.reason == REASON
    assert result.signed_at is not None


def test_sealing_is_an_incremental_update(rendered: bytes, sealed: bytes) -> None:
    assert sealed.startswith(rendered)
    assert re.search(r'pdfaid:part(="|>)3', pdf_xmp_metadata(sealed))


def test_sealed_pdf_passes_qpdf_check(sealed: bytes, tmp_path: Path) -> None:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (apt-get install qpdf)")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    proc = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)  # noqa: S603
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_signature_field_is_visible(sealed: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(sealed))
    root: Any = reader.root_object
    fields = root["/AcroForm"]["/Fields"]
    seal = next(f.get_object() for f in fields if f.get_object().get("/T") == "ClinicSeal")
    assert seal["/FT"] == "/Sig"
    assert seal["/V"].get_object()["/SubFilter"] == "/ETSI.CAdES.detached"
    x1, y1, x2, y2 = (float(v) for v in seal["/Rect"])
    assert x2 - x1 > 0
    assert y2 - y1 > 0
    assert int(seal["/F"]) & 4, "widget must have the Print flag"
    assert "/N" in seal["/AP"]
    last_page = reader.pages[-1]
    annots: Any = last_page["/Annots"]
    assert seal in [a.get_object() for a in annots]
    stamp = last_page.extract_xform_text(seal["/AP"]["/N"].get_object())
    assert "Sealed by: Pathway Test Clinic Seal" in stamp
    assert f"Reason: {REASON}" in stamp
    assert "Time: 20" in stamp


def test_other_trust_root_is_not_trusted(sealed: bytes) -> None:
    _, other_cert = make_self_signed_certificate(common_name="Mallory", organization="Evil")
    result = verify_pdf(sealed, trust_root_pem=other_cert)
    assert result.sealed
    assert result.intact
    assert not result.trusted
    assert not result.ok
    assert any("not our trusted seal" in p for p in result.problems)


def _byte_range(pdf: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    return [int(g) for g in match.groups()]


@pytest.mark.parametrize("where", ["header_comment", "middle_of_original"])
def test_flipped_byte_in_signed_content_is_detected(
    sealed: bytes, seal_keys: tuple[bytes, bytes], where: str
) -> None:
    start, length, contents_end, _ = _byte_range(sealed)
    offset = 10 if where == "header_comment" else (start + length) // 3
    assert start <= offset < start + length < contents_end  # inside signed bytes
    tampered = bytearray(sealed)
    tampered[offset] ^= 0x01
    result = verify_pdf(bytes(tampered), trust_root_pem=seal_keys[1])
    assert not result.ok
    assert not result.intact or not result.sealed
    if where == "header_comment":  # still a perfectly readable PDF
        assert result.sealed
        assert any("altered" in p for p in result.problems)


def test_annotation_appended_after_sealing_is_detected(
    sealed: bytes, seal_keys: tuple[bytes, bytes]
) -> None:
    writer = pypdf.PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_annotation(
        page_number=0,
        annotation=DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FreeText"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 300, 80)]),
                NameObject("/Contents"): TextStringObject("Dose: 500 mg"),
            }
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    modified = out.getvalue()
    assert modified.startswith(sealed)
    result = verify_pdf(modified, trust_root_pem=seal_keys[1])
    assert result.intact  # the sealed revision itself is still genuine...
    assert result.trusted
    assert not result.covers_whole_file  # ...but something was added afterwards
    assert not result.ok
    assert any("modified after sealing" in p for p in result.problems)


def test_metadata_change_after_sealing_is_detected(
    sealed: bytes, seal_keys: tuple[bytes, bytes]
) -> None:
    writer = pypdf.PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_metadata({"/Title": "Forged title"})
    out = io.BytesIO()
    writer.write(out)
    assert len(out.getvalue()) > len(sealed)
    result = verify_pdf(out.getvalue(), trust_root_pem=seal_keys[1])
    assert not result.ok
    assert any("modified after sealing" in p for p in result.problems)


def test_catalog_change_after_sealing_is_detected(
    sealed: bytes, seal_keys: tuple[bytes, bytes]
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("de-DE")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert len(out.getvalue()) > len(sealed)
    result = verify_pdf(out.getvalue(), trust_root_pem=seal_keys[1])
    assert not result.ok
    assert any("modified after sealing" in p for p in result.problems)


def test_trailing_garbage_after_sealing_is_detected(
    sealed: bytes, seal_keys: tuple[bytes, bytes]
) -> None:
    result = verify_pdf(sealed + b"\n% appended\n", trust_root_pem=seal_keys[1])
    assert not result.ok
    assert any("modified after sealing" in p for p in result.problems)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf at all", b"%PDF-1.7\n%garbage\n", b"\x00" * 1024],
    ids=["empty", "text", "header-only", "zeros"],
)
def test_garbage_is_reported_not_raised(data: bytes, seal_keys: tuple[bytes, bytes]) -> None:
    result = verify_pdf(data, trust_root_pem=seal_keys[1])
    assert not result.sealed
    assert not result.ok
    assert result.problems


def test_truncated_sealed_file_is_reported_not_raised(
    sealed: bytes, seal_keys: tuple[bytes, bytes]
) -> None:
    for cut in (len(sealed) // 2, len(sealed) - 40):
        result = verify_pdf(sealed[:cut], trust_root_pem=seal_keys[1])
        assert not result.ok
        assert result.problems


def test_unsealed_pdf_is_not_sealed(rendered: bytes, seal_keys: tuple[bytes, bytes]) -> None:
    result = verify_pdf(rendered, trust_root_pem=seal_keys[1])
    assert not result.sealed
    assert not result.ok
    assert result.problems == ["The file carries no seal."]


def test_mismatched_key_and_certificate_are_refused(
    rendered: bytes, seal_keys: tuple[bytes, bytes]
) -> None:
    other_key, _ = make_self_signed_certificate(common_name="X", organization="Y")
    with pytest.raises(ValueError, match="does not belong"):
        seal_pdf(rendered, key_pem=other_key, cert_pem=seal_keys[1], reason="r", location="l")


def test_a_sealed_record_cannot_be_sealed_again(sealed: bytes, seal_keys) -> None:
    """The seal is a certification permitting no changes: a second seal is refused."""
    key_pem, cert_pem = seal_keys
    with pytest.raises(Exception, match="Certification signatures must be the first"):
        seal_pdf(
            sealed,
            key_pem=key_pem,
            cert_pem=cert_pem,
            reason="Countersigned",
            location="Utrecht, NL",
            field_name="Countersignature",
            visible_box=(51, 76, 291, 140),
        )


@pytest.mark.parametrize("root", [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n"])
def test_bad_trust_root_is_a_configuration_error(sealed: bytes, root: bytes) -> None:
    with pytest.raises(ValueError, match="trust_root_pem"):
        verify_pdf(sealed, trust_root_pem=root)
