"""The one pipeline every sealed record goes through: render (WeasyPrint) -> PDF/A-3b -> seal
(pyHanko, clinic certificate) -> verify. Storing is `records.services.sealed_record_create`.

Pure apart from reading the key material and settings: no database access.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp
from django.conf import settings
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from core.errors import DomainError
from records import keys, render, sealing, validation


class SealVerificationFailed(DomainError):
    """The freshly sealed file did not verify: it is never stored or handed out (503)."""

    status = 503
    code = "seal_verification_failed"


logger = logging.getLogger(__name__)


class SealServiceUnavailable(DomainError, ConnectionError):
    """The time-stamping authority could not be reached (no connection, a timeout, a server
    error): nothing was sealed (503, try again). A ConnectionError too, so the background
    tasks that retry on OSError retry it."""

    status = 503
    code = "seal_service_unavailable"


class SealServiceRefused(DomainError):
    """The time-stamping authority answered, but not with a time stamp (a 4xx, a refusal, a
    malformed reply): a setting to fix, not an outage to wait out (502, not retried)."""

    status = 502
    code = "seal_service_refused"


def _unreachable(exc: BaseException) -> bool:
    """An outage rather than a refusal: no connection, a timeout or a 5xx answer."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, aiohttp.ClientResponseError):
        return cause.status >= 500
    return isinstance(
        cause, aiohttp.ClientConnectionError | asyncio.TimeoutError | TimeoutError | ConnectionError
    )


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
    archival = keys.archival()  # (local files: their errors are not the service's)
    try:
        sealed = sealing.seal_pdf(
            rendered,
            key_pem=material.key_pem,
            cert_pem=material.cert_pem,
            reason=request.reason,
            location=settings.CLINIC_NAME,
            archival=archival,
        )
    except TimestampRequestError as exc:
        logger.warning("Time-stamp request failed: %s", exc, exc_info=exc)
        if _unreachable(exc):
            raise SealServiceUnavailable(
                "The time-stamping service could not be reached, so nothing was sealed. Try "
                "again in a few minutes; if it keeps failing, the clinic admin checks that the "
                "service at PATHWAY_TSA_URL is up."
            ) from exc
        raise SealServiceRefused(
            "The time-stamping service refused the request, so nothing was sealed. The clinic "
            "admin checks PATHWAY_TSA_URL (the address, credentials and policy)."
        ) from exc
    check = validation.verify_pdf(sealed, trust_root_pem=keys.trust_root_pem())
    if not check.ok:
        raise SealVerificationFailed(
            "The sealed PDF did not verify and was not stored: " + "; ".join(check.problems)
        )
    return SealedPdf(data=sealed, check=check)
