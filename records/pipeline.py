"""The one pipeline every sealed record goes through: render (WeasyPrint) -> PDF/A-3b -> seal
(pyHanko, clinic certificate) -> verify. Storing is `records.services.sealed_record_create`.

Pure apart from reading the key material and settings: no database access.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core.errors import DomainError
from records import keys, render, sealing, validation


class SealVerificationFailed(DomainError):
    """The freshly sealed file did not verify: it is never stored or handed out (503)."""

    status = 503
    code = "seal_verification_failed"


class SealServiceUnavailable(DomainError, ConnectionError):
    """The time-stamping authority (or another service the seal reaches over the network)
    could not be reached: nothing was sealed (503, try again). A ConnectionError too, so the
    background tasks that retry on OSError retry it."""

    status = 503
    code = "seal_service_unavailable"


@dataclass(frozen=True)
class SealedPdf:
    data: bytes
    check: validation.SealVerification


@dataclass(frozen=True)
class RenderRequest:
    """What to render and how to describe it inside the PDF."""

    html: str
    title: str
    subject: str
    reason: str
    metadata: dict[str, str] | None = None


def render_seal_verify(request: RenderRequest) -> SealedPdf:
    """Raises SealNotConfigured without key material, SealServiceUnavailable when the
    time-stamping service cannot be reached, and SealVerificationFailed when the sealed bytes do
    not verify against the clinic's trust root (nothing to store then)."""
    material = keys.seal_material()
    rendered = render.render_pdf(
        request.html,
        title=request.title,
        metadata={
            "author": settings.CLINIC_NAME,
            "subject": request.subject,
            **(request.metadata or {}),
        },
    )
    try:
        sealed = sealing.seal_pdf(
            rendered,
            key_pem=material.key_pem,
            cert_pem=material.cert_pem,
            reason=request.reason,
            location=settings.CLINIC_NAME,
            archival=keys.archival(),
        )
    except OSError as exc:  # pyHanko's TimestampRequestError, aiohttp's connection errors
        raise SealServiceUnavailable(
            "The time-stamping service could not be reached, so nothing was sealed. Try again "
            "in a few minutes; if it keeps failing, the clinic admin checks PATHWAY_TSA_URL."
        ) from exc
    check = validation.verify_pdf(sealed, trust_root_pem=keys.trust_root_pem())
    if not check.ok:
        raise SealVerificationFailed(
            "The sealed PDF did not verify and was not stored: " + "; ".join(check.problems)
        )
    return SealedPdf(data=sealed, check=check)
