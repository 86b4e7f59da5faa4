"""Seal PDFs with the clinic's key (PAdES certification, DocMDP P=1). Verification is
`records.validation`.

Pure module: bytes in, bytes/dataclasses out. No Django, settings or database; callers
pass the key, certificate and trust root as PEM bytes.

* :func:`make_self_signed_certificate` makes a clinic seal key pair for development or
  for a clinic without a CA: the certificate is its own trust root.
* :func:`seal_pdf` appends a PAdES certification signature permitting no changes
  (SubFilter ``ETSI.CAdES.detached``, SHA-256) in an incremental update, so the original
  PDF/A bytes stay untouched, with a visible stamp (signer, time, reason, location) on one
  page; with :class:`Archival` it reaches B-LTA (time-stamp, DSS, document time-stamp).

The stamp is drawn by WeasyPrint (embedded DejaVu fonts) and imported as a form XObject,
because pyHanko's own text stamps either use a non-embedded standard font (forbidden
in PDF/A) or need the optional ``uharfbuzz`` dependency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from pyhanko.stamp.static import StaticContentStamp
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from records.render import render_pdf

_T = TypeVar("_T")

__all__ = [
    "DEFAULT_FIELD_NAME",
    "DEFAULT_SEAL_BOX",
    "Archival",
    "make_self_signed_certificate",
    "seal_pdf",
]

DEFAULT_FIELD_NAME = "ClinicSeal"

#: (x1, y1, x2, y2) in PDF points from the bottom-left of an A4 page: the bottom-right
#: corner of the content area defined by templates/pdf/record.css, just above the
#: footer rule, which the ``.seal-reserve`` block keeps empty on the last page.
DEFAULT_SEAL_BOX: tuple[int, int, int, int] = (304, 76, 544, 140)

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S %Z"

_STAMP_CSS = """
@page { size: %(w)spt %(h)spt; margin: 0; font-family: "DejaVu Sans", sans-serif; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 7pt; line-height: 1.3;
       color: #0b2a4a; }
body { margin: 0; }
.seal { box-sizing: border-box; width: %(w)spt; height: %(h)spt; overflow: hidden;
        padding: 3pt 5pt; border: 1pt solid #0b2a4a; background: #f5f7f9; }
.title { font-weight: bold; font-size: 8pt; margin-bottom: 1.5pt; }
.row { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.label { font-weight: bold; }
"""


# --------------------------------------------------------------------------------------
# Key material
# --------------------------------------------------------------------------------------


def make_self_signed_certificate(
    *, common_name: str, organization: str, days: int = 3650
) -> tuple[bytes, bytes]:
    """Create an RSA 3072 key and a self-signed seal certificate; return PEM bytes.

    RSA, not ECDSA P-256: pyHanko declares a file sealed with a P-256 key PDF 2.0 (ISO 32002),
    which a PDF/A-3 file (PDF 1.7) may not claim.

    Returns ``(private_key_pem, certificate_pem)``; the key is unencrypted PKCS#8, so
    store it as a secret. The certificate is an end-entity certificate (CA=false) with
    key usage digitalSignature + nonRepudiation (pyHanko requires nonRepudiation for
    signing by default) and is meant to be configured as its own trust root.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_seal_key_usage(), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def _seal_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _load_single_cert(cert_pem: bytes) -> Any:
    """First certificate in PEM/DER data, as the asn1crypto object pyHanko expects."""
    certs = list(load_certs_from_pemder_data(cert_pem))
    if not certs:
        raise ValueError("no certificate found in the given PEM/DER data")
    return certs[0]


def _check_key_matches_cert(key_pem: bytes, cert_pem: bytes) -> None:
    """Fail early: a mismatched pair would produce a seal that never verifies."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    cert = x509.load_pem_x509_certificate(cert_pem)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise ValueError("the private key does not belong to the certificate")


# --------------------------------------------------------------------------------------
# Sealing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archival:
    """Long-term validation: the TSA to time-stamp the seal and the trust roots whose
    revocation data (OCSP, CRL) is fetched and embedded. With it the seal reaches PAdES
    B-LTA (signature time-stamp, DSS, document time-stamp); without it, B-B."""

    tsa_url: str
    trust_roots_pem: bytes
    timeout: int = 10


def seal_pdf(
    pdf_bytes: bytes,
    *,
    key_pem: bytes,
    cert_pem: bytes,
    reason: str,
    location: str,
    contact: str | None = None,
    field_name: str = DEFAULT_FIELD_NAME,
    visible_box: tuple[int, int, int, int] = DEFAULT_SEAL_BOX,
    page: int = -1,
    archival: Archival | None = None,
) -> bytes:
    """Return ``pdf_bytes`` with a visible PAdES certification seal (DocMDP P=1: no changes
    permitted) appended as an incremental update.

    Preconditions: ``pdf_bytes`` is an unencrypted PDF without a field named
    ``field_name``; ``key_pem`` (unencrypted PEM) belongs to the first certificate in
    ``cert_pem`` (raises ``ValueError`` otherwise; further certificates are its chain);
    ``visible_box`` is ``(x1, y1, x2, y2)`` in points on page ``page`` (negative counts from the
    end). The original bytes are kept as-is (incremental update). Use an RSA key for PDF/A-3:
    pyHanko marks a file sealed with an ECDSA P-256 key as PDF 2.0 (ISO 32002), which PDF/A-3
    (PDF 1.7) does not allow. With ``archival`` the signature carries an RFC 3161 time-stamp
    token, the validation data is embedded and a document time-stamp added (B-LTA); this
    fetches from the TSA, OCSP and CRL services named in the certificates.
    """
    _check_key_matches_cert(key_pem, cert_pem)
    chain = list(load_certs_from_pemder_data(cert_pem))
    cert = _load_single_cert(cert_pem)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
        cert_registry=_certificate_store(*chain),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        contact_info=contact,
        signer_key_usage={"digital_signature", "non_repudiation"},
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        **_archival_meta(archival),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        timestamper=_timestamper(archival),
        stamp_style=_HtmlStampStyle(timestamp_format=_TIME_FORMAT),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name, on_page=page, box=visible_box
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    params = {"signer": _display_name(cert), "reason": reason, "location": location}
    out = outside_event_loop(lambda: pdf_signer.sign_pdf(writer, appearance_text_params=params))
    return bytes(out.getvalue())


def _archival_meta(archival: Archival | None) -> dict[str, Any]:
    if archival is None:
        return {}
    return {
        "embed_validation_info": True,
        "use_pades_lta": True,
        "validation_context": fetching_context(archival.trust_roots_pem),
    }


def _timestamper(archival: Archival | None) -> Any:
    if archival is None:
        return None
    return HTTPTimeStamper(archival.tsa_url, timeout=archival.timeout)


def fetching_context(trust_roots_pem: bytes) -> ValidationContext:
    """A validation context that fetches revocation data (to embed it when sealing)."""
    return ValidationContext(
        trust_roots=list(load_certs_from_pemder_data(trust_roots_pem)),
        allow_fetching=True,
        revocation_mode="require",
    )


def outside_event_loop(work: Callable[[], _T]) -> _T:
    """pyHanko's synchronous API calls asyncio.run(), which fails in a thread whose event loop
    is running (an ASGI worker, Playwright's sync API); run it in a fresh thread there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _certificate_store(*certs: Any) -> SimpleCertificateStore:
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    for cert in certs:
        store.register(cert)
    return store


def _display_name(cert: Any) -> str:
    """``CN, O`` of the certificate subject, for the stamp."""
    native = cert.subject.native
    parts = [native.get("common_name"), native.get("organization_name")]
    return ", ".join(str(p) for p in parts if p) or str(cert.subject.human_friendly)


@dataclass(frozen=True)
class _HtmlStampStyle(TextStampStyle):
    """Draws the stamp with WeasyPrint instead of pyHanko's text engine.

    Subclassing ``TextStampStyle`` matters: pyHanko then passes the exact signing time
    as ``ts`` (formatted with ``timestamp_format``) along with ``signer`` and our params.
    """

    def create_stamp(self, writer: Any, box: Any, text_params: dict[str, Any]) -> Any:
        stamp_pdf = _render_stamp_pdf(box.width, box.height, text_params)
        style = StaticStampStyle(
            background=_PdfBytesPage(stamp_pdf),
            background_opacity=1.0,
            border_width=0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(left=0, right=0, top=0, bottom=0),
            ),
        )
        return StaticContentStamp(writer=writer, style=style, box=box)


class _PdfBytesPage(content.ImportedPdfPage):
    """Like pyHanko's ``ImportedPdfPage`` but from bytes in memory, not a file name."""

    def __init__(self, pdf_bytes: bytes) -> None:
        super().__init__(file_name="<memory>", page_ix=0)  # type: ignore[no-untyped-call]
        self._pdf_bytes = pdf_bytes

    def render(self) -> bytes:
        reader = PdfFileReader(io.BytesIO(self._pdf_bytes))
        xobj = self._ensure_writer.import_page_as_xobject(reader, page_ix=0)
        self.resources.xobject["/SealStamp"] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return b"/SealStamp Do"


def _render_stamp_pdf(width: float, height: float, params: dict[str, Any]) -> bytes:
    """One page of exactly the widget's size showing signer, time, reason, location."""
    rows = [
        ("Sealed by", params.get("signer", "")),
        ("Time", params.get("ts", "")),
        ("Reason", params.get("reason", "")),
        ("Location", params.get("location", "")),
    ]
    body = "".join(
        f'<div class="row"><span class="label">{html.escape(label)}:</span> '
        f"{html.escape(str(value))}</div>"
        for label, value in rows
        if value
    )
    doc = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>'
        f'<div class="seal"><div class="title">Electronic seal</div>{body}</div>'
        "</body></html>"
    )
    css = _STAMP_CSS % {"w": f"{width:g}", "h": f"{height:g}"}
    return render_pdf(doc, title="Seal", stylesheets=[css])


def renew_archive_timestamp(pdf_bytes: bytes, *, archival: Archival) -> bytes:
    """Append fresh validation data and a new document time-stamp (PAdES B-LTA renewal), so
    the archive stays verifiable after the previous time-stamp's certificate expires. The
    original bytes are kept as they are (incremental update)."""
    reader = PdfFileReader(io.BytesIO(pdf_bytes))
    output = io.BytesIO()
    stamper = signers.PdfTimeStamper(HTTPTimeStamper(archival.tsa_url, timeout=archival.timeout))
    context = fetching_context(archival.trust_roots_pem)
    outside_event_loop(
        lambda: stamper.update_archival_timestamp_chain(reader, context, output=output)
    )
    return output.getvalue()
