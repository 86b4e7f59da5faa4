"""Verify sealed PDFs: intact, sealed by a trusted certificate, nothing but long-term
validation data appended since, and which PAdES level the seal reaches.

Pure module: bytes in, a `SealVerification` out; never raises because of the document. No
network access: the signature and the document time-stamps are validated against the
configured trust roots with the validation data embedded in the file (DSS), at the time of the
earliest document time-stamp, so a B-LTA record verifies offline for as long as its archive
time-stamps are renewed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko_certvalidator import ValidationContext

from records.revisions import appended_problems
from records.sealing import outside_event_loop

__all__ = ["SealVerification", "verify_pdf"]


@dataclass(frozen=True)
class SealVerification:
    """Outcome of :func:`verify_pdf`. ``ok`` is the one bit most callers need.

    Details describe the seal (the first signature). ``level`` is the PAdES baseline level
    reached (B-B, B-T, B-LT, B-LTA); ``timestamp_at``/``timestamp_authority`` come from the
    seal's RFC 3161 signature time-stamp; ``archive_expires_at`` is when the certificate of the
    newest document time-stamp expires (renew before then).
    """

    sealed: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer_subject: str = ""
    signed_at: dt.datetime | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)
    level: str = ""
    timestamp_at: dt.datetime | None = None
    timestamp_authority: str = ""
    certified_no_changes: bool = False
    archive_expires_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """True when sealed, unaltered, nothing but LTV data appended, and signed by us."""
        return (
            self.sealed
            and self.intact
            and self.trusted
            and self.covers_whole_file
            and not self.problems
        )


def verify_pdf(pdf_bytes: bytes, *, trust_root_pem: bytes) -> SealVerification:
    """Check the seal of ``pdf_bytes`` against ``trust_root_pem`` (the seal's and the TSA's
    roots). A malformed ``trust_root_pem`` is a configuration error and raises ValueError."""
    roots = _load_trust_roots(trust_root_pem)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        seals = list(reader.embedded_regular_signatures)
        stamps = list(reader.embedded_timestamp_signatures)
    except Exception as exc:  # any parser failure means "not a readable PDF"
        return SealVerification(sealed=False, problems=[f"Not a readable PDF file ({exc})."])
    if not seals:
        return SealVerification(sealed=False, problems=["The file carries no seal."])
    try:
        return _verify(pdf_bytes, reader, seals, stamps, roots)
    except Exception as exc:  # malformed CMS, bad byte range, truncated file...
        return SealVerification(sealed=True, problems=[f"The seal could not be validated ({exc})."])


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


def _context(reader: PdfFileReader, roots: list[Any], moment: dt.datetime | None) -> Any:
    """Offline: the trust roots plus whatever validation data the file embeds."""
    kwargs: dict[str, Any] = {"trust_roots": roots, "allow_fetching": False}
    kwargs["revocation_mode"] = "soft-fail"
    if moment is not None:
        kwargs["moment"] = moment
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except Exception:  # no DSS (a B-B or B-T seal): roots only
        return ValidationContext(**kwargs)


@dataclass
class _Stamps:
    ok: bool
    first_at: dt.datetime | None
    expires_at: dt.datetime | None
    problems: list[str]


def _check_stamps(reader: PdfFileReader, stamps: Sequence[Any], roots: list[Any]) -> _Stamps:
    result = _Stamps(ok=bool(stamps), first_at=None, expires_at=None, problems=[])
    for stamp in stamps:
        context = _context(reader, roots, None)
        status = outside_event_loop(partial(validate_pdf_timestamp, stamp, context))
        if not (status.intact and status.valid and status.trusted):
            result.ok = False
            result.problems.append(f"Document time-stamp {stamp.field_name!r} does not verify.")
            continue
        result.first_at = result.first_at or status.timestamp
        result.expires_at = status.signing_cert["tbs_certificate"]["validity"]["not_after"].native
    return result


def _verify(
    data: bytes,
    reader: PdfFileReader,
    seals: Sequence[Any],
    stamps: Sequence[Any],
    roots: list[Any],
) -> SealVerification:
    seal = seals[0]
    archive = _check_stamps(reader, stamps, roots)
    status = outside_event_loop(
        lambda: validate_pdf_signature(seal, _context(reader, roots, archive.first_at))
    )
    problems = [f"Seal {s.field_name!r}: a second signature was added." for s in seals[1:]]
    problems += archive.problems + appended_problems(data, reader, seal.signed_revision)
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    if not intact:
        problems.insert(0, "The sealed content was altered (hash mismatch).")
    elif not trusted:
        why = getattr(status.trust_problem_indic, "name", "unknown")
        problems.insert(0, f"The signer is not our trusted seal ({why}).")
    permitted = _pyhanko_permits(status)
    if not permitted:
        problems.append("The file was modified after sealing (not permitted by the seal).")
    ts = status.timestamp_validity
    return SealVerification(
        sealed=True,
        intact=intact,
        trusted=trusted,
        covers_whole_file=permitted and not problems,
        signer_subject=str(status.signing_cert.subject.human_friendly),
        signed_at=status.signer_reported_dt,
        reason=_optional_str(seal.sig_object.get("/Reason")),
        problems=problems,
        level=_level(intact and trusted, ts, reader, archive.ok),
        timestamp_at=ts.timestamp if ts is not None else None,
        timestamp_authority=str(ts.signing_cert.subject.human_friendly) if ts else "",
        certified_no_changes=seal.docmdp_level == MDPPerm.NO_CHANGES,
        archive_expires_at=archive.expires_at,
    )


def _pyhanko_permits(status: Any) -> bool:
    """pyHanko's own diff analysis: only long-term-validation updates after the seal."""
    level = status.modification_level
    if level is None:
        return True  # nothing after the seal
    return bool(status.docmdp_ok) and level <= ModificationLevel.LTA_UPDATES


def _level(valid: bool, ts: Any, reader: PdfFileReader, archived: bool) -> str:
    if not valid:
        return ""
    if ts is None or not (ts.intact and ts.valid and ts.trusted):
        return "B-B"
    if "/DSS" not in reader.root:
        return "B-T"
    return "B-LTA" if archived else "B-LT"


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
