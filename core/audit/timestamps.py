"""Optional RFC 3161 time-stamp tokens over checkpoints (`AUDIT_TSA_URL`): a third party's
signed statement that the checkpoint existed at that time, which the clinic cannot back-date."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from asn1crypto import cms, tsp
from django.conf import settings


def timestamper() -> Any:
    """The time-stamping client; tests replace this with a local stamper."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(settings.AUDIT_TSA_URL, timeout=10)


def request_token(payload: bytes) -> bytes:
    """DER bytes of a time-stamp token over SHA-256(payload)."""
    digest = hashlib.sha256(payload).digest()
    token: cms.ContentInfo = asyncio.run(timestamper().async_timestamp(digest, "sha256"))
    return bytes(token.dump())


def token_matches(token: bytes, payload: bytes) -> bool:
    """Whether the token's message imprint is SHA-256(payload). (The TSA's signature over the
    token is checked by whoever trusts that TSA, e.g. `openssl ts -verify`.)"""
    try:
        info = cms.ContentInfo.load(token)
        tst = info["content"]["encap_content_info"]["content"].parsed
        assert isinstance(tst, tsp.TSTInfo)
        imprint = tst["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        return bool(
            algorithm == "sha256"
            and imprint["hashed_message"].native == hashlib.sha256(payload).digest()
        )
    except (ValueError, TypeError, KeyError, AssertionError):
        return False
