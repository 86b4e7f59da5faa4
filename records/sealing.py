"""Seal PDFs with the clinic's key (PAdES) and verify sealed PDFs.

Pure module: bytes in, bytes/dataclasses out. No Django, settings or database; callers
pass the key, certificate and trust root as PEM bytes.

* :func:`make_self_signed_certificate` makes a clinic seal key pair for development or
  for a clinic without a CA: the certificate is its own trust root.
* :func:`seal_pdf` appends a PAdES baseline signature (SubFilter ``ETSI.CAdES.detached``,
  SHA-256) in an incremental update, so the original PDF/A bytes stay untouched, with a
  visible stamp (signer, time, reason, location) on one page.
* :func:`verify_pdf` answers "is this the file we sealed, unchanged, and sealed by us?".
  It never raises on a bad file; problems are reported in plain words.

The stamp is drawn by WeasyPrint (embedded DejaVu fonts) and imported as a form XObject,
because pyHanko's own text stamps either use a non-embedded standard font (forbidden
in PDF/A) or need the optional ``uharfbuzz`` dependency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from pyhanko.stamp.static import StaticContentStamp
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from records.render import render_pdf

_T = TypeVar("_T")

__all__ = [
    "DEFAULT_FIELD_NAME",
    "DEFAULT_SEAL_BOX",
    "SealVerification",
    "make_self_signed_certificate",
    "seal_pdf",
    "verify_pdf",
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


@dataclass(frozen=True)
class SealVerification:
    """Outcome of :func:`verify_pdf`. ``ok`` is the one bit most callers need.

    Details (``signer_subject``, ``signed_at``, ``reason``) describe the most recent
    signature; ``intact``/``trusted``/``covers_whole_file`` hold for *all* signatures.
    ``signed_at`` is the signer-reported time (there is no timestamp authority).
    """

    sealed: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer_subject: str = ""
    signed_at: dt.datetime | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)
    level: str = ""  # PAdES baseline level reached: B-B, B-T, B-LT or B-LTA
    timestamp_at: dt.datetime | None = None  # the signature time-stamp's time (B-T and up)
    timestamp_authority: str = ""

    @property
    def ok(self) -> bool:
        """True when sealed, unaltered, unmodified since sealing and signed by us."""
        return (
            self.sealed
            and self.intact
            and self.trusted
            and self.covers_whole_file
            and not self.problems
        )


# --------------------------------------------------------------------------------------
# Key material
# --------------------------------------------------------------------------------------


def make_self_signed_certificate(
    *, common_name: str, organization: str, days: int = 3650
) -> tuple[bytes, bytes]:
    """Create an EC P-256 key and a self-signed seal certificate; return PEM bytes.

    Returns ``(private_key_pem, certificate_pem)``; the key is unencrypted PKCS#8, so
    store it as a secret. The certificate is an end-entity certificate (CA=false) with
    key usage digitalSignature + nonRepudiation (pyHanko requires nonRepudiation for
    signing by default) and is meant to be configured as its own trust root.
    """
    key = ec.generate_private_key(ec.SECP256R1())
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
) -> bytes:
    """Return ``pdf_bytes`` with a visible PAdES seal appended as an incremental update.

    Preconditions: ``pdf_bytes`` is an unencrypted PDF without a field named
    ``field_name``; ``key_pem`` (unencrypted PEM) belongs to ``cert_pem`` (raises
    ``ValueError`` otherwise); ``visible_box`` is ``(x1, y1, x2, y2)`` in points on page
    ``page`` (negative counts from the end, ``-1`` = last page). The original bytes are
    kept as-is (incremental update) so the PDF/A-3b rendering is not rewritten; the
    stamp uses embedded fonts so the update stays within PDF/A rules as far as we know.
    """
    _check_key_matches_cert(key_pem, cert_pem)
    cert = _load_single_cert(cert_pem)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
        cert_registry=_certificate_store(cert),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        contact_info=contact,
        signer_key_usage={"digital_signature", "non_repudiation"},
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        stamp_style=_HtmlStampStyle(timestamp_format=_TIME_FORMAT),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name, on_page=page, box=visible_box
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    params = {"signer": _display_name(cert), "reason": reason, "location": location}
    out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, appearance_text_params=params))
    return bytes(out.getvalue())


def _outside_event_loop(work: Callable[[], _T]) -> _T:
    """pyHanko's synchronous API calls asyncio.run(), which fails in a thread whose event loop
    is running (an ASGI worker, Playwright's sync API); run it in a fresh thread there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _certificate_store(cert: Any) -> SimpleCertificateStore:
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
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


# --------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------


def verify_pdf(pdf_bytes: bytes, *, trust_root_pem: bytes) -> SealVerification:
    """Check every signature in ``pdf_bytes`` against ``trust_root_pem``.

    Never raises because of the document: garbage, empty or truncated input gives
    ``sealed=False`` with a problem. A malformed ``trust_root_pem`` is a configuration
    error and raises ``ValueError``. No network access: revocation is not checked
    (soft-fail) and nothing is fetched. Any byte appended after the last seal, even
    a metadata-only incremental update, counts as a modification.
    """
    roots = _load_trust_roots(trust_root_pem)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        embedded = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"]
    except Exception as exc:  # any parser failure means "not a readable PDF"
        return SealVerification(sealed=False, problems=[f"Not a readable PDF file ({exc})."])
    if not embedded:
        return SealVerification(sealed=False, problems=["The file carries no seal."])
    return _summarise(embedded, roots)


def _load_trust_roots(trust_root_pem: bytes) -> list[Any]:
    """Parse the configured roots eagerly so a bad config fails loudly, not per file."""
    try:
        roots = list(load_certs_from_pemder_data(trust_root_pem))
        for root in roots:
            root.subject.native  # asn1crypto parses lazily; force it now  # noqa: B018
    except Exception as exc:
        raise ValueError(f"trust_root_pem is not a PEM/DER certificate ({exc})") from exc
    if not roots:
        raise ValueError("trust_root_pem contains no certificate")
    return roots


@dataclass
class _SigCheck:
    intact: bool = False
    trusted: bool = False
    covered: bool = False
    subject: str = ""
    signed_at: dt.datetime | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)


def _summarise(embedded: Sequence[Any], roots: list[Any]) -> SealVerification:
    checks = [
        _check_signature(sig, roots, is_last=i == len(embedded) - 1)
        for i, sig in enumerate(embedded)
    ]
    last = checks[-1]
    return SealVerification(
        sealed=True,
        intact=all(c.intact for c in checks),
        trusted=all(c.trusted for c in checks),
        covers_whole_file=all(c.covered for c in checks),
        signer_subject=last.subject,
        signed_at=last.signed_at,
        reason=last.reason,
        problems=[p for c in checks for p in c.problems],
    )


def _check_signature(sig: Any, roots: list[Any], *, is_last: bool) -> _SigCheck:
    """Validate one signature; earlier ones may be followed by later signatures."""
    label = f"Seal {sig.field_name!r}"
    check = _SigCheck(reason=_optional_str(sig.sig_object.get("/Reason")))
    try:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        status = _outside_event_loop(lambda: validate_pdf_signature(sig, context))
    except Exception as exc:  # malformed CMS, bad byte range, truncated file...
        check.problems.append(f"{label} could not be validated ({exc}).")
        return check
    check.subject = str(status.signing_cert.subject.human_friendly)
    check.signed_at = status.signer_reported_dt
    check.intact = bool(status.intact and status.valid)
    check.trusted = bool(status.trusted)
    check.covered = _coverage_ok(status, is_last=is_last)
    if not check.intact:
        check.problems.append(f"{label}: the signed content was altered (hash mismatch).")
    elif not check.trusted:
        why = getattr(status.trust_problem_indic, "name", "unknown")
        check.problems.append(f"{label}: the signer is not our trusted seal ({why}).")
    if not check.covered:
        level = status.modification_level.name if status.modification_level else "unknown"
        check.problems.append(f"{label}: the file was modified after sealing ({level}).")
    return check


def _coverage_ok(status: Any, *, is_last: bool) -> bool:
    """Whether nothing but legitimate signing updates follow this signature.

    The last seal must cover the whole file, byte for byte. pyHanko's diff policy would
    also accept "signature maintenance" revisions (``LTA_UPDATES``), but it files
    document-info edits (e.g. a changed /Title) under that level too, and we do not
    add DSS/document timestamps ourselves, so anything appended is a modification.
    Earlier signatures may be followed by later signatures (``FORM_FILLING``), which
    are then checked in turn.
    """
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if is_last or status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    level = status.modification_level
    return bool(status.docmdp_ok) and level is not None and level <= ModificationLevel.FORM_FILLING


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
