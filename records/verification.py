"""Which sealed record a PDF is, and whether it is genuine: one answer for the verification page
and the `verify_pdf` command."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from records.keys import trust_root_pem
from records.models import SealedRecord
from records.selectors import record_by_sha256
from records.validation import SealVerification, verify_pdf


@dataclass(frozen=True)
class RecordIdentity:
    check: SealVerification
    sha256: str
    record: SealedRecord | None  # the stored record with exactly these bytes

    @property
    def known(self) -> bool:
        return self.record is not None


def record_identify(data: bytes) -> RecordIdentity:
    """Raises SealNotConfigured when the clinic has no seal certificate to check against."""
    check = verify_pdf(data, trust_root_pem=trust_root_pem())
    digest = hashlib.sha256(data).hexdigest()
    return RecordIdentity(check, digest, record_by_sha256(digest))
