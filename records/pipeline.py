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
    """Raises SealNotConfigured without key material and SealVerificationFailed when the sealed
    bytes do not verify against the clinic's trust root (nothing to store then)."""
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
    sealed = sealing.seal_pdf(
        rendered,
        key_pem=material.key_pem,
        cert_pem=material.cert_pem,
        reason=request.reason,
        location=settings.CLINIC_NAME,
        archival=keys.archival(),
    )
    check = validation.verify_pdf(sealed, trust_root_pem=keys.trust_root_pem())
    if not check.ok:
        raise SealVerificationFailed(
            "The sealed PDF did not verify and was not stored: " + "; ".join(check.problems)
        )
    return SealedPdf(data=sealed, check=check)
