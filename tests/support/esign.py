"""Electronic signatures for tests: valid components (core.esign) for a staff member's signing."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.esign import SIGNED_IN_SESSION_KEY, ESignature
from core.models import User
from tests.factories import PASSWORD
from tests.support.twofactor import give_totp, totp_code


def signing_request(user: User) -> HttpRequest:
    """A request from a fresh session of `user` (no signing yet in it)."""
    request = RequestFactory().post("/sign", REMOTE_ADDR="192.0.2.20")
    request.user = user
    request.session = SessionStore()
    return request


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, given to them if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or give_totp(user)


def esign(
    user: User,
    *,
    request: HttpRequest | None = None,
    password: str = PASSWORD,
    offset_steps: int = 0,
) -> ESignature:
    """Valid components for `user`'s next signature. Without `request`: a fresh session's
    first signing (user ID and password). With the `request` of a session that already
    signed: password and the authenticator's code (`offset_steps` later, since a code is
    accepted once). The user gets an authenticator app if they lack one (signers need one)."""
    device = authenticator(user)
    if request is None:
        return ESignature(request=signing_request(user), username=user.username, password=password)
    return ESignature(
        request=request, password=password, otp_code=totp_code(device, offset_steps=offset_steps)
    )


def esign_post(
    client: Client, user: User, *, prefix: str = "", offset_steps: int = 0
) -> dict[str, str]:
    """The signature fields for a page form posted by `client` (signed in as `user`): user ID and
    password at the session's first signing, then password and the current code."""
    device = authenticator(user)
    p = f"{prefix}-" if prefix else ""
    if client.session.get(SIGNED_IN_SESSION_KEY):
        code = totp_code(device, offset_steps=offset_steps)
        return {f"{p}password": PASSWORD, f"{p}otp_code": code}
    return {f"{p}username": user.username, f"{p}password": PASSWORD}
