"""The second line of defence: whatever a caller passes, values under secret-looking keys never
reach the trail. The first line is each caller recording an allow-list of fields (see
core.admin.AuditedAdminMixin)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

REDACTED = "[redacted]"

# Matched against each key's word parts ("token_hash", "api_key", "otp", "one_time_code"), and
# anywhere for the unmistakable ones ("password1", "newpassword") — but not "monkey" or
# "keyboard_layout". A dosing "session" or a consent "signature" id is not a secret.
_SECRET_PARTS = (
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "token",
    "secret",
    "key",
    "otp",
    "totp",
    "hash",
    "pin",
    "salt",
    "credential",
    "credentials",
    "cookie",
    "authorization",
)
# A bare "code" is an identifier here (questionnaire, contraindication and interaction codes);
# a code is secret when it says so: one_time_code, otp_code, verification_code, reset_code...
_CODE_KINDS = (
    "one_time|otp|totp|mfa|sms|auth|verification|verify|reset|recovery|backup|login|access"
)
_SECRET_CODES = rf"(?:{_CODE_KINDS})_?code"
_SECRET_KEY = re.compile(
    r"(?:^|[^a-z])(?:"
    + "|".join(_SECRET_PARTS)
    + r")(?:[^a-z]|$)|password|token|secret|"
    + _SECRET_CODES,
)
# Keys the trail needs that happen to contain a secret-looking part.
_ALLOWED_KEYS = frozenset({"sha256", "content_hash", "head_hash", "checkpoint_hash", "case_id"})


@lru_cache(maxsize=4096)  # (keys come from code: a small set; a pure function of the key)
def is_secret_key(key: str) -> bool:
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", key).lower()
    if name in _ALLOWED_KEYS:
        return False
    return bool(_SECRET_KEY.search(name))


def scrub(value: Any) -> Any:
    """A copy of `value` with every value under a secret-looking key replaced by REDACTED."""
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret_key(str(key)) and item not in (None, "") else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value
