from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core import ratelimit
from core.audit import audit_record


class SignInForm(AuthenticationForm):
    """Refuses sign-in, even with the right password, once the failure limit is reached."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and ratelimit.is_blocked(self.request, username):
            audit_record(
                action="auth.login_blocked",
                actor_label=f"unknown ({username[:150]})",
                data={"username": username[:150]},
            )
            raise forms.ValidationError(
                "Too many failed sign-in attempts. Please wait 15 minutes and try again, "
                "or ask the clinic to reset your password.",
                code="rate_limited",
            )
        cleaned = super().clean()
        if self.request is not None:
            ratelimit.reset(self.request, username)
        return cleaned
