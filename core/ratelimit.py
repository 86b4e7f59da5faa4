"""Failed sign-ins, one-time codes and signature re-authentications are counted per account and
per address; past a limit, sign-in (and signing) is refused for the rest of the window, whether
or not the password is right.

Limits (settings): `LOGIN_FAILURE_LIMIT` per account (password and one-time-code failures at
sign-in), `ESIGN_FAILURE_LIMIT` per account (electronic-signature re-authentications),
`LOGIN_FAILURE_ADDRESS_LIMIT` per client address (far higher: a clinic's staff share one
address). The window is `LOGIN_FAILURE_WINDOW_SECONDS`. A clinic admin lifts an account's
lockout with `core.services.user_lockout_lift`.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.middleware import client_ip


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def _login_key(username: str) -> str:
    return f"login-fail:user:{_account(username)}"


def _esign_key(username: str) -> str:
    return f"esign-fail:user:{_account(username)}"


def _address_key(request: HttpRequest) -> str:
    return f"login-fail:ip:{client_ip(request) or 'none'}"


def _increment(key: str) -> int:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, timeout=window)
        return 1


def register_failure(request: HttpRequest, username: str) -> None:
    """A wrong password or one-time code at sign-in."""
    _increment(_login_key(username))
    _increment(_address_key(request))


def register_esign_failure(request: HttpRequest, username: str) -> None:
    """A failed electronic-signature re-authentication."""
    _increment(_esign_key(username))
    _increment(_address_key(request))


def account_locked(username: str) -> bool:
    return (cache.get(_login_key(username)) or 0) >= settings.LOGIN_FAILURE_LIMIT or (
        cache.get(_esign_key(username)) or 0
    ) >= settings.ESIGN_FAILURE_LIMIT


def address_blocked(request: HttpRequest) -> bool:
    return (cache.get(_address_key(request)) or 0) >= settings.LOGIN_FAILURE_ADDRESS_LIMIT


def is_blocked(request: HttpRequest, username: str) -> bool:
    return account_locked(username) or address_blocked(request)


def reset(request: HttpRequest, username: str) -> None:
    """A complete sign-in: the account's sign-in failures are forgiven (not the address's)."""
    cache.delete(_login_key(username))


def reset_esign(username: str) -> None:
    cache.delete(_esign_key(username))


def lift(username: str) -> None:
    """End an account's lockout (sign-in and signing failures)."""
    cache.delete_many([_login_key(username), _esign_key(username)])
