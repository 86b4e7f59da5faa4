"""The one render-and-seal pipeline every signed record uses (consent, dosing plan)."""

from __future__ import annotations

from django.conf import settings

from consent.pdf import render_pdf
from consent.record import seal_material
from consent.sealing import seal_pdf


def render_and_seal(
    html: str, *, title: str, subject: str, reason: str, metadata: dict[str, str] | None = None
) -> bytes:
    """HTML -> PDF/A-3b -> PAdES seal with the clinic certificate (see consent.record)."""
    material = seal_material()
    rendered = render_pdf(
        html,
        title=title,
        metadata={"author": settings.CLINIC_NAME, "subject": subject, **(metadata or {})},
    )
    return seal_pdf(
        rendered,
        key_pem=material.key_pem,
        cert_pem=material.cert_pem,
        reason=reason,
        location=settings.CLINIC_NAME,
    )
