"""Sign-in failures are counted per account and per address; past the limit sign-in is refused
for the rest of the window, whether or not the password is right."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.middleware import client_ip


def _keys(request: HttpRequest, username: str) -> list[str]:
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [f"login-fail:user:{account}", f"login-fail:ip:{client_ip(request) or 'none'}"]


def register_failure(request: HttpRequest, username: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(request, username):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def is_blocked(request: HttpRequest, username: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(request, username))


def reset(request: HttpRequest, username: str) -> None:
    cache.delete(_keys(request, username)[0])
