"""The clinic's seal key material and the trust root, read from the configured files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.errors import DomainError
from records.sealing import Archival


class SealNotConfigured(DomainError):
    """The clinic certificate or key is missing: say how to make one (503, not a 500)."""

    status = 503
    code = "seal_not_configured"


@dataclass(frozen=True)
class SealMaterial:
    key_pem: bytes
    cert_pem: bytes  # the seal certificate first, then any issuing CA certificates


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
    return SealMaterial(key_pem=_read("SEAL_KEY_PATH"), cert_pem=_read("SEAL_CERT_PATH"))


def trust_root_pem() -> bytes:
    """The certificate(s) a sealed PDF must chain to: by default the seal certificate."""
    return _read("SEAL_TRUST_ROOT_PATH" if settings.SEAL_TRUST_ROOT_PATH else "SEAL_CERT_PATH")


def archival() -> Archival | None:
    """Time-stamp and long-term validation settings: None (a B-B seal) only when no TSA is
    configured, which production refuses at start-up."""
    if not settings.PATHWAY_TSA_URL:
        return None
    return Archival(
        tsa_url=settings.PATHWAY_TSA_URL,
        trust_roots_pem=trust_root_pem(),
        timeout=settings.PATHWAY_TSA_TIMEOUT,
    )
