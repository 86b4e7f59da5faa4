"""In production the sign-in limit is shared by every web worker through Redis."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core import ratelimit


@pytest.mark.redis
def test_failures_are_counted_in_redis(settings) -> None:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{os.getpid()}",
        }
    }
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = settings.LOGIN_FAILURE_LIMIT + 3
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.7")
    try:
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            assert not ratelimit.is_blocked(request, "someone")
            ratelimit.register_failure(request, "someone")
        assert ratelimit.is_blocked(request, "someone")
        assert not ratelimit.is_blocked(request, "another-name-same-address")
        for _ in range(3):
            ratelimit.register_failure(request, "a-third-name")
        assert ratelimit.is_blocked(request, "another-name-same-address")
    finally:
        for name in ("someone", "another-name-same-address", "a-third-name"):
            cache.delete(ratelimit._login_key(name))
        cache.delete(ratelimit._address_key(request))
