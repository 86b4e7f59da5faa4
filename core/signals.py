"""Sign-ins, sign-outs and failed sign-ins go to the audit trail; roles re-sync after migrate;
the SQLite file is kept owner-only; a patient's language change reaches their open sessions."""

from __future__ import annotations

import os
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from core.audit import audit_record
from core.models import Patient, User
from core.ratelimit import register_failure
from core.roles import sync_role_groups


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest, user: User, **_: Any) -> None:
    audit_record(action="auth.login", actor=user)


@receiver(user_logged_in)
def _remember_language(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    from core.i18n import remember_signed_in_language

    if request is not None and hasattr(request, "session"):
        remember_signed_in_language(request.session, user)


@receiver(post_save, sender=Patient)
def _raise_language_stamp(
    sender: Any, instance: Patient, update_fields: frozenset[str] | None, **_: Any
) -> None:
    """A signed-in patient's sessions cache their language (core.i18n): raise the user's stamp
    so the next request of each re-reads it. Any save that may carry the language counts (the
    service, the admin); `QuerySet.update()` sends no signal and must not change a language."""
    if instance.user_id is None:
        return
    if update_fields is not None and "preferred_language" not in update_fields:
        return
    User.objects.filter(pk=instance.user_id).update(language_stamp=F("language_stamp") + 1)


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


@receiver(connection_created)
def _sqlite_owner_only(sender: Any, connection: Any, **_: Any) -> None:
    """The SQLite file holds patient data: readable and writable by its owner only (0600)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, f"{name}-wal", f"{name}-shm", f"{name}-journal"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            continue


def _audit_passkey_saved(sender: Any, instance: Any, created: bool, **_: Any) -> None:
    if created or instance.confirmed:
        audit_record(
            action="auth.passkey_registered" if created else "auth.passkey_changed",
            actor=instance.user,
            target=f"user:{instance.user_id}",
            data={"device": instance.persistent_id, "confirmed": bool(instance.confirmed)},
        )


def connect_passkey_audit() -> None:
    from django.db.models.signals import post_save
    from django_otp_webauthn.models import WebAuthnCredential

    post_save.connect(_audit_passkey_saved, sender=WebAuthnCredential, weak=False)


connect_passkey_audit()
