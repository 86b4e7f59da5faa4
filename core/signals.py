"""Sign-ins, sign-outs and failed sign-ins go to the audit trail; roles re-sync after migrate."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpRequest

from core.audit import audit_record
from core.models import User
from core.ratelimit import register_failure
from core.roles import sync_role_groups


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest, user: User, **_: Any) -> None:
    audit_record(action="auth.login", actor=user)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: HttpRequest, user: User | None, **_: Any) -> None:
    if user is not None:
        audit_record(action="auth.logout", actor=user)


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action="auth.login_failed", actor_label=f"unknown ({username})", data={"username": username}
    )
    if request is not None:
        register_failure(request, username)


@receiver(post_migrate)
def _sync_roles(sender: Any, **_: Any) -> None:
    """Groups are created here, and only here, after the last app's post_migrate (when every
    permission exists). They also survive a test flush, which re-emits post_migrate."""
    with_models = [a for a in global_apps.get_app_configs() if a.models_module is not None]
    last = with_models[-1]  # post_migrate is sent only to apps that have models
    if getattr(sender, "label", "") == last.label:
        sync_role_groups(global_apps)
