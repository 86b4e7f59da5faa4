"""Second factors (django-otp): an authenticator app (TOTP) plus single-use recovery codes
(django-otp's static tokens). Physicians, clinic admins and Django staff must have one; everyone
else may. These functions hold the rules; the pages are in core.account_views."""

from __future__ import annotations

from typing import Any

import segno
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record
from core.models import User
from core.roles import Role, has_role

#: Roles that may not use Pathway without a second factor.
SECOND_FACTOR_REQUIRED_ROLES = frozenset({Role.PHYSICIAN, Role.CLINIC_ADMIN})
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def second_factor_required(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser or has_role(user, *SECOND_FACTOR_REQUIRED_ROLES))


def has_second_factor(user: User) -> bool:
    """True when the user has a confirmed authenticator app (recovery codes alone do not
    count: they back up an app, they do not replace it)."""
    found: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return found


def has_any_second_factor(user: User) -> bool:
    """An authenticator app or a passkey: sign-in then asks for the second step."""
    from django_otp_webauthn.models import WebAuthnCredential

    return has_second_factor(user) or bool(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def passkeys_of(user: User) -> list[Any]:
    from django_otp_webauthn.models import WebAuthnCredential

    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True))


def verify_code(user: User, code: str) -> Device | None:
    """The confirmed device the code belongs to (a TOTP code or an unused recovery code, which
    is then spent), or None."""
    cleaned = "".join(code.split()).lower()
    if not cleaned or len(cleaned) > 16:
        return None
    device: Device | None = match_token(user, cleaned)
    return device


def totp_pending(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first use (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending device with a code from the app; return it and fresh recovery
    codes (shown once), or None when the code is wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(code.split())):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_record(
            action="auth.2fa_enrolled",
            actor=user,
            target=f"user:{user.pk}",
            data={"device": "totp", "recovery_codes": len(codes)},
        )
    return device, codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit_record(action="auth.recovery_codes_regenerated", actor=user, target=f"user:{user.pk}")
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_remove(*, user: User, actor: User) -> None:
    """Remove every second factor of `user` (app and recovery codes)."""
    with transaction.atomic():
        removed = [d.persistent_id for d in devices_for_user(user, confirmed=None)]
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        from django_otp_webauthn.models import WebAuthnCredential

        WebAuthnCredential.objects.filter(user=user).delete()
        audit_record(
            action="auth.2fa_removed",
            actor=actor,
            target=f"user:{user.pk}",
            data={"devices": removed},
        )


def recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


def secret_groups(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (no inline style, so CSP allows it)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="QR code for your authenticator app"
    )
    return svg
