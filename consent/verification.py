"""Which sealed record a PDF is, and whether it is genuine: one answer for the verification
page and the `verify_pdf` command."""

from __future__ import annotations

from dataclasses import dataclass

from consent import hooks
from consent.models import ConsentPdf
from consent.record import trust_root_pem
from consent.sealing import SealVerification, verify_pdf
from consent.text import sha256_hex


@dataclass(frozen=True)
class PdfIdentity:
    check: SealVerification
    sha256: str
    record: ConsentPdf | None  # a consent record with exactly these bytes
    other: hooks.OtherRecord | None  # or a record another app keeps (a dosing plan)

    @property
    def known(self) -> bool:
        return self.record is not None or self.other is not None


def pdf_identify(data: bytes) -> PdfIdentity:
    """Raises SealNotConfigured when the clinic has no seal certificate to check against."""
    check = verify_pdf(data, trust_root_pem=trust_root_pem())
    digest = sha256_hex(data)
    record = (
        ConsentPdf.objects.select_related("signature__patient", "signature__version__document")
        .filter(sha256=digest)
        .first()
    )
    other = hooks.describe_other_record(digest) if record is None else None
    return PdfIdentity(check, digest, record, other)
