"""Issuing and revoking API tokens (each is audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from core.audit import audit_record
from core.errors import ValidationFailed
from core.models import User
from core.roles import is_staff_member
from core.tokens import new_token


def api_token_issue(*, user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """A new token for an active staff member; returns the record and the token (shown once)."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "Name the system that will use the token."})
    if not user.is_active or not is_staff_member(user):
        raise ValidationFailed({"user": f"{user.username} is not an active staff member."})
    token, digest = new_token()
    with transaction.atomic():
        record = ApiToken.objects.create(
            user=user, name=name[:100], prefix=token[:8], token_sha256=digest, created_by=actor
        )
        audit_record(
            action="api.token.issue",
            actor=actor,
            target=f"api_token:{record.pk}",
            data={"user_id": user.pk, "name": record.name, "prefix": record.prefix},
        )
    return record, token


def api_token_revoke(*, token: ApiToken, actor: User | None) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        audit_record(action="api.token.revoke", actor=actor, target=f"api_token:{token.pk}")
