from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import ratelimit
from core.audit import audit_record
from core.errors import DomainError, ValidationFailed
from core.jsonbody import parse_json
from core.models import User
from core.validators import DOCUMENT_TEXT_MAX, too_long_message

if TYPE_CHECKING:
    from core.esign import ESignature


def locked_message() -> str:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    return _(
        "Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again, "
        "or ask the clinic to lift the lockout."
    ) % {"minutes": minutes}


class SignInForm(AuthenticationForm):
    """Refuses sign-in, even with the right password, once the failure limit is reached.
    The failure count is forgiven only when sign-in completes (after the second factor)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and ratelimit.is_blocked(self.request, username):
            audit_record(
                action="auth.login_blocked",
                actor_label=f"unknown ({username[:150]})",
                data={"username": username[:150]},
            )
            raise forms.ValidationError(locked_message(), code="rate_limited")
        return super().clean()


class OneTimeCodeForm(forms.Form):
    otp_code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app (or a recovery code)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


#: The signature components' field names (not part of the decision's own data).
ESIGN_FIELDS = frozenset({"username", "password", "otp_code"})


class ESignatureFormMixin(forms.Form):
    """The components of an electronic signature, for a form that signs something (plan
    approval...). Build it with `esign_request=request`; the user-ID field is there only at the
    session's first signing and the one-time-code field only when a code is needed. In the
    view, after `is_valid()`, pass `form.esignature()` to the service, which verifies it (a
    DomainError; show it with `add_domain_error(form, exc)`). `form.esign_needs` tells the
    template whether the signer must first set up a second factor."""

    username = forms.CharField(
        label="Your user ID",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Re-enter your password to sign",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = forms.CharField(
        label="Code from your authenticator app",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, esign_request: HttpRequest, **kwargs: Any) -> None:
        from core.esign import esignature_requirements

        super().__init__(*args, **kwargs)
        self.esign_request = esign_request
        user: User = esign_request.user  # type: ignore[assignment]
        needs = esignature_requirements(request=esign_request, user=user)
        self.esign_needs = needs
        if needs.username:
            self.fields["username"].required = True
        else:
            del self.fields["username"]
        if needs.otp_code:
            self.fields["otp_code"].required = True
        else:
            del self.fields["otp_code"]

    def esignature(self) -> ESignature:
        """The components entered, for the service that signs (it verifies them)."""
        from core.esign import ESignature

        return ESignature(
            request=self.esign_request,
            username=self.cleaned_data.get("username"),
            password=self.cleaned_data.get("password") or "",
            otp_code=self.cleaned_data.get("otp_code"),
        )


class FiniteDecimalField(forms.DecimalField):
    """A DecimalField that refuses NaN and infinities already when parsing, not only when
    validating: Django's `has_changed()` (formsets, forms with initial data) compares the
    parsed value, and comparing a signalling NaN ("sNaN") raises InvalidOperation (a 500)."""

    def to_python(self, value: Any) -> Any:
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class BoundedJSONField(forms.JSONField):
    """A JSONField (the admin's) that refuses, as a field error, what `json.loads` would crash
    on or keep: nesting deeper than JSON_MAX_DEPTH (a RecursionError, a 500), NaN and Infinity
    (not JSON; PostgreSQL refuses them) and more than DOCUMENT_TEXT_MAX characters."""

    def _refusal(self, value: str) -> str | None:
        if len(value) > DOCUMENT_TEXT_MAX:
            return too_long_message(DOCUMENT_TEXT_MAX, len(value))
        try:
            parse_json(value)
        except ValidationFailed as exc:
            return exc.fields.get("body", "Enter a valid JSON.")
        return None

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value and not self.disabled:
            refusal = self._refusal(value)
            if refusal:
                raise forms.ValidationError(refusal, code="invalid")
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        # Shown again with the error: never parsed (Django's would recurse into it).
        if isinstance(data, str) and self._refusal(data):
            return forms.fields.InvalidJSONInput(data)
        return super().bound_data(data, initial)


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


class PlainSelect(forms.Select):
    """A `<select>` written in Python: the same markup as Django's template widget (attributes,
    `selected`, escaped labels), without a template include per option. For GET filter forms
    drawn on every request with dozens of options (the case board). No optgroups."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join

        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), mark_safe(" selected") if str(v) in selected else "", label)
                for v, label in self.choices
            ),
        )
        built = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(built), options)
