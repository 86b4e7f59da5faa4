"""Checkpoints with an RFC 3161 time-stamp token, from a local stamper (no TSA needed)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.audit import audit_record, timestamps
from core.audit.checkpoints import audit_checkpoint, checkpoint_files
from core.audit.trail import verify_trail
from tests.core import test_audit_support as support

checkpoint_dir = support.checkpoint_dir  # fixture


def _tsa_stamper() -> Any:
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
    )


@pytest.fixture
def local_tsa(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.AUDIT_TSA_URL = "http://tsa.invalid/"
    stamper = _tsa_stamper()
    monkeypatch.setattr(timestamps, "timestamper", lambda: stamper)


@pytest.mark.django_db
def test_checkpoint_carries_a_time_stamp_token_over_its_payload(local_tsa: None) -> None:
    audit_record(action="test.entry")
    row = audit_checkpoint()
    token = base64.b64decode(row.tsa_token)
    assert timestamps.token_matches(token, row.payload.encode())
    assert not timestamps.token_matches(token, row.payload.encode() + b" ")
    assert verify_trail().ok


@pytest.mark.django_db
def test_a_token_swapped_from_another_checkpoint_is_reported(local_tsa: None) -> None:
    first = audit_checkpoint()
    second = audit_checkpoint()
    support.raw_sql(
        "UPDATE core_auditcheckpoint SET tsa_token = %s WHERE id = %s",
        [first.tsa_token, second.pk],
    )
    problems = [str(p) for p in verify_trail().problems]
    assert problems == [f"forged: checkpoint database row {second.pk}: time-stamp token mismatch."]
    newest = checkpoint_files()[-1]
    body = json.loads(newest.read_text())
    newest.chmod(0o644)
    newest.write_text(json.dumps(body | {"tsa_token": first.tsa_token}))
    problems = [str(p) for p in verify_trail().problems]
    assert f"forged: checkpoint file {newest.name}: time-stamp token mismatch." in problems
