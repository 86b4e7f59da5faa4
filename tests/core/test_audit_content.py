"""Audit content, never secrets: the admin records allow-listed fields only, and audit_record
redacts values under secret-looking keys whatever a caller passes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import InlineAdminFormSet
from django.test import Client
from django.urls import reverse

from core.audit import REDACTED, audit_record, is_secret_key, scrub
from core.models import AuditEntry, User
from tests.factories import CaseFactory, PatientFactory, UserFactory

SECRET = "Zebra-Quartz-8812-secret!"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "password1",
        "new_password2",
        "oldPassword",
        "password_hash",
        "token",
        "token_hash",
        "access_token",
        "api_key",
        "key",
        "private_key",
        "secret",
        "client_secret",
        "otp",
        "totp_code",
        "one_time_code",
        "verification_code",
        "pin",
        "salt",
        "credentials",
        "authorization",
        "session_cookie",
    ],
)
def test_secret_looking_keys_are_recognised(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "username",
        "sha256",
        "document_sha256",
        "content_hash",
        "checkpoint_hash",
        "monkey",
        "keyboard_layout",
        "code",
        "signature",
        "session",
        "reason",
        "case_id",
        "pinned",
    ],
)
def test_ordinary_keys_are_kept(key: str) -> None:
    assert not is_secret_key(key)


def test_scrub_redacts_nested_values_and_keeps_the_rest() -> None:
    data = {
        "username": "amara",
        "password": SECRET,
        "after": {"token_hash": "abc", "email": "a@example.org", "api_key": ""},
        "items": [{"otp": "123456", "n": 1}],
        "sha256": "f" * 64,
    }
    assert scrub(data) == {
        "username": "amara",
        "password": REDACTED,
        "after": {"token_hash": REDACTED, "email": "a@example.org", "api_key": ""},
        "items": [{"otp": REDACTED, "n": 1}],
        "sha256": "f" * 64,
    }


@pytest.mark.django_db
def test_audit_record_stores_scrubbed_data_and_the_chain_verifies() -> None:
    entry = audit_record(action="test.secret", data={"password": SECRET, "nested": {"key": "k"}})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.data == {"password": REDACTED, "nested": {"key": REDACTED}}
    assert SECRET not in json.dumps(stored.data)


# -- walking every ModelAdmin ---------------------------------------------------------------


def _post_value(name: str, field: forms.Field, value: Any) -> dict[str, Any]:
    if isinstance(field, forms.SplitDateTimeField):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(2030, 1, 1, 9, 0)
        return {f"{name}_0": moment.strftime("%Y-%m-%d"), f"{name}_1": moment.strftime("%H:%M:%S")}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return {name: [getattr(v, "pk", v) for v in (value or [])]}
    if isinstance(field, forms.JSONField):
        return {name: json.dumps(value if value is not None else {})}
    if isinstance(field, forms.BooleanField):
        return {name: "on"} if value else {}
    if value is None:
        return {name: ""}
    if isinstance(value, dt.date):
        return {name: value.isoformat()}
    return {name: getattr(value, "pk", value)}


def _fresh_value(model: str, name: str, field: forms.Field) -> Any:
    """A valid new value for an add form: secrets where the name looks secret."""
    if is_secret_key(name) and isinstance(field, forms.CharField):
        return SECRET
    if field.initial not in (None, ""):
        return field.initial() if callable(field.initial) else field.initial
    if isinstance(field, forms.ModelChoiceField):
        return field.queryset.first() if field.required else None
    if isinstance(field, forms.ChoiceField):
        choices = [c for c, _ in field.choices if c not in ("", None)]  # type: ignore[misc]
        return choices[0] if choices else ""
    if isinstance(field, forms.BooleanField):
        return False
    if isinstance(field, forms.DateField):
        return dt.date(1980, 1, 1)
    if isinstance(field, forms.EmailField):
        return "walk@example.org"
    if isinstance(field, forms.SlugField):
        return f"walk-{model.lower()}"
    if isinstance(field, forms.DecimalField | forms.IntegerField):
        return 1
    if isinstance(field, forms.GenericIPAddressField):
        return "127.0.0.1"
    if isinstance(field, forms.JSONField):
        return {}
    if isinstance(field, forms.CharField):
        return f"walk {name}"
    return None


def _questionnaire() -> dict[str, Any]:
    from planning.intake.models import QuestionnaireDefinition

    existing = QuestionnaireDefinition.objects.order_by("pk").first()
    assert existing is not None
    return {
        "code": existing.code,
        "version": existing.version + 100,
        "definition": json.dumps(existing.definition),
    }


# Values a generic filler cannot guess (cross-field rules).
OVERRIDES: dict[str, Any] = {
    "questionnairedefinition": _questionnaire,
    "user": {"username": "walk.user", "usable_password": "true"},
    "clinicprotocol": {
        "dose_min": "0.5",
        "dose_max": "0.8",
        "sessions_min": 1,
        "sessions_max": 6,
        "frequencies": "twice weekly",
        "vital_sign_minutes": "0, 40",
        "device_mg": "",
        "older_patient_age": "",
        "older_patient_start_max_mg": "",
    },
}


def _management_data(context: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for inline in context.get("inline_admin_formsets", []):
        assert isinstance(inline, InlineAdminFormSet)
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(formset.initial_form_count()),
                f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
                f"{formset.prefix}-MIN_NUM_FORMS": "0",
                f"{formset.prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, form in enumerate(formset.initial_forms):
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                data.update(_post_value(f"{formset.prefix}-{index}-{name}", field, value))
    return data


def _walk_add(client: Client, model: type[Any]) -> Any:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        data.update(_post_value(name, field, _fresh_value(opts.model_name, name, field)))
    override = OVERRIDES.get(opts.model_name, {})
    data.update(override() if callable(override) else override)
    data.update(_management_data(page.context))
    response = client.post(url, data)
    errors = response.context["adminform"].form.errors if response.context else None
    assert response.status_code == 302, f"{opts.label} add refused: {errors}"
    return model._default_manager.order_by("-pk").first()


def _walk_change(client: Client, model: type[Any], obj: Any) -> None:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    changed = False
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if is_secret_key(name) and isinstance(field, forms.CharField):
            value, changed = SECRET, True
        elif not changed and type(field) is forms.CharField and not field.disabled:
            value, changed = f"{value or ''} changed", True
        data.update(_post_value(name, field, value))
    data.update(_management_data(page.context))
    response = client.post(url, data)
    errors = response.context["adminform"].form.errors if response.context else None
    assert response.status_code == 302, f"{opts.label} change refused: {errors}"


def _assert_no_secret_in_trail() -> None:
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.data)
        assert SECRET not in text, f"{entry.action} {entry.target} leaks the secret: {text}"
        _assert_no_secret_values(entry.data, entry.action)


def _assert_no_secret_values(value: Any, action: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if is_secret_key(str(key)) and item not in (None, ""):
                assert item == REDACTED, f"{action}: {key}={item!r} is not redacted"
            _assert_no_secret_values(item, action)
    elif isinstance(value, list):
        for item in value:
            _assert_no_secret_values(item, action)


@pytest.mark.django_db
def test_every_model_admin_add_and_change_keeps_secrets_out_of_the_trail(
    client: Client,
) -> None:
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    PatientFactory()
    CaseFactory()
    walked: list[str] = []
    request = client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in admin.site._registry.items():
        obj = None
        if model_admin.has_add_permission(request):
            obj = _walk_add(client, model)
            walked.append(f"add {model._meta.label}")
        obj = obj or model._default_manager.order_by("-pk").first()
        if obj is not None and model_admin.has_change_permission(request, obj):
            _walk_change(client, model, obj)
            walked.append(f"change {model._meta.label}")
    assert "add core.User" in walked and "change core.User" in walked
    # Accounts go through core.services (audited there, profile fields only, never a password).
    user_added = AuditEntry.objects.get(action="account.created")
    assert user_added.data["username"]["after"] == "walk.user"
    assert not any("password" in name for name in user_added.data)
    assert AuditEntry.objects.filter(action="config.change").count() >= 3
    _assert_no_secret_in_trail()


@pytest.mark.django_db
def test_admin_password_change_page_keeps_the_password_out_of_the_trail(client: Client) -> None:
    superuser = UserFactory(is_superuser=True, is_staff=True)
    target = UserFactory()
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(
        url, {"password1": SECRET, "password2": SECRET, "usable_password": "true"}
    )
    assert response.status_code in (200, 302)
    target.refresh_from_db()
    assert target.check_password(SECRET)
    _assert_no_secret_in_trail()
    assert isinstance(target, User)
