"""The checkpoint signing key. The private key lives only where checkpoints are made (worker,
beat, management commands: `AUDIT_CHECKPOINT_KEY_FILE`); the web process and `audit_verify`
need only the public key (`AUDIT_CHECKPOINT_PUBLIC_KEY_FILE`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class CheckpointKeyMissing(RuntimeError):
    """No private key is configured for this process."""


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def make_key(private_path: Path, public_path: Path | None) -> Ed25519PrivateKey:
    """Write a new key pair: the private key with mode 0600 (refuses to overwrite one)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(private_path, pem, 0o600)
    if public_path is not None:
        public_path.unlink(missing_ok=True)
        _write(public_path, public_pem(key.public_key()), 0o644)
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _configured(name: str) -> Path | None:
    value = getattr(settings, name, "")
    return Path(value) if value else None


def private_key() -> Ed25519PrivateKey:
    """The signing key. Outside production a missing key file is created (demo and tests)."""
    path = _configured("AUDIT_CHECKPOINT_KEY_FILE")
    if path is None:
        raise CheckpointKeyMissing("AUDIT_CHECKPOINT_KEY_FILE is not set for this process.")
    if not path.exists():
        if settings.PRODUCTION:
            raise CheckpointKeyMissing(
                f"No checkpoint key at {path} (python manage.py audit_checkpoint --make-key)."
            )
        return make_key(path, _configured("AUDIT_CHECKPOINT_PUBLIC_KEY_FILE"))
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointKeyMissing(f"{path} is not an Ed25519 private key.")
    return key


def public_key() -> Ed25519PublicKey | None:
    """The verifying key: the public key file, else derived from a readable private key."""
    public_path = _configured("AUDIT_CHECKPOINT_PUBLIC_KEY_FILE")
    if public_path is not None and public_path.exists():
        key = serialization.load_pem_public_key(public_path.read_bytes())
        return key if isinstance(key, Ed25519PublicKey) else None
    private_path = _configured("AUDIT_CHECKPOINT_KEY_FILE")
    if private_path is not None and private_path.exists():
        return private_key().public_key()
    return None
