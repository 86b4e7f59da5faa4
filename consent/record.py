"""The sealed PDF record of a signature: its HTML, and the clinic's seal key material.

Rendering (consent/pdf.py) and sealing (consent/sealing.py) stay pure; this module gathers
what they need from the database and settings.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from consent.models import ConsentSignature
from core.errors import DomainError
from core.models import AuditEntry

SEAL_REASON = "Informed consent record sealed by the clinic"


class SealNotConfigured(DomainError):
    """The clinic certificate or key is missing: say how to make one (503, not a 500)."""

    status = 503
    code = "seal_not_configured"


@dataclass(frozen=True)
class SealMaterial:
    key_pem: bytes
    cert_pem: bytes


def _read(setting: str) -> bytes:
    path = Path(getattr(settings, setting))
    if not path.is_file():
        raise SealNotConfigured(
            f"{setting} points to {path}, which does not exist. Run "
            "`python manage.py make_clinic_certificate` (demo) or configure the clinic's "
            "certificate (see .env.example)."
        )
    return path.read_bytes()


def seal_material() -> SealMaterial:
    return SealMaterial(
        key_pem=_read("CONSENT_SEAL_KEY_PATH"),
        cert_pem=_read("CONSENT_SEAL_CERT_PATH"),
    )


def trust_root_pem() -> bytes:
    """The certificate(s) a sealed PDF must chain to: by default the seal certificate."""
    setting = (
        "CONSENT_TRUST_ROOT_PATH" if settings.CONSENT_TRUST_ROOT_PATH else "CONSENT_SEAL_CERT_PATH"
    )
    return _read(setting)


def request_events(signature: ConsentSignature) -> list[AuditEntry]:
    targets = [signature.request.audit_target, signature.audit_target]
    return list(AuditEntry.objects.filter(target__in=targets).order_by("seq"))


def record_html(signature: ConsentSignature, events: list[AuditEntry]) -> str:
    """The complete PDF source: identity on every page, document, answers, signature, audit."""
    version = signature.version
    patient = signature.patient
    image = base64.b64encode(bytes(signature.image_png)).decode("ascii")
    return render_to_string(
        "consent/pdf/consent_record.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "signature": signature,
            "version": version,
            "patient": patient,
            "image_data_uri": f"data:image/png;base64,{image}",
            "events": events,
            "tz": timezone.get_current_timezone_name(),
        },
    )
