"""Second-factor helpers for tests: a confirmed authenticator app and its current code."""

from __future__ import annotations

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import User


def give_totp(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    return device


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the app shows now (or `offset_steps` periods later)."""
    import time

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def code_for_secret(secret: str) -> str:
    """The current code for a base32 secret as shown on the set-up page (groups of four)."""
    from base64 import b32decode

    raw = "".join(secret.split())
    key = b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key)
    return f"{totp.token():06d}"
