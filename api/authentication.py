"""`Authorization: Token <token>` (or `Bearer <token>`): the token is looked up by its SHA-256.

A token works only while it is not revoked and its user is an active staff member; a refused
token is a 401 and is written to the audit trail.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import ApiToken
from core.access import audit_denied
from core.models import User
from core.roles import is_staff_member
from core.tokens import token_hash

KEYWORDS = (b"token", b"bearer")
# `last_used_at` is written at most this often, so reads do not each cost a write.
TOUCH_EVERY = timedelta(minutes=5)


class HashedTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("The Authorization header must be `Token <token>`.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token is not valid.") from None
        return self._user_for(token)

    def _user_for(self, token: str) -> tuple[User, ApiToken]:
        record = (
            ApiToken.objects.select_related("user")
            .filter(token_sha256=token_hash(token), revoked_at=None)
            .first()
        )
        if record is None or not record.user.is_active or not is_staff_member(record.user):
            audit_denied(None, what="api token")
            raise AuthenticationFailed("The token is not valid, or it was revoked.")
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        return record.user, record

    def authenticate_header(self, request: Any) -> str:
        return 'Token realm="api"'
