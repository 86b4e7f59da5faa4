from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core import ratelimit
from core.audit import audit_record
from core.errors import DomainError, ValidationFailed


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


def form_errors(form: forms.Form) -> dict[str, str]:
    """A form's errors as one message per field (for ValidationFailed and JSON bodies)."""
    return {name: " ".join(str(m) for m in msgs) for name, msgs in form.errors.items()}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: field messages on their fields, the rest on top."""
    if isinstance(exc, ValidationFailed):
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, exc.message)
