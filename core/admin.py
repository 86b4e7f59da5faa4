from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from core.audit import audit_record, is_secret_key
from core.errors import AccessDenied
from core.forms import BoundedJSONField, FiniteDecimalField
from core.models import AuditEntry, ClinicSettings, Patient, User
from core.roles import Role, user_roles
from core.services import (
    assignable_roles,
    user_account_save,
    user_active_set,
    user_lockout_lift,
    user_manageable_by,
    user_password_reset,
    user_role_set,
    user_sessions_end_all,
)
from core.validators import (
    CLINIC_SETTINGS_RANGES,
    CLINICAL_TEXT_MAX,
    validate_birth_date,
)

admin.site.site_header = "Pathway administration"
admin.site.site_title = "Pathway"


def _plain(value: Any) -> Any:
    """Model instances and querysets as primary keys, so the trail holds ids, not reprs."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return [_plain(item) for item in value]
    return value


class BoundedAdminMixin:
    """Every admin form field bounded like the rest of Pathway's input (core/validators.py):
    free text (TextField) at most `text_max` characters (CLINICAL_TEXT_MAX unless the admin
    says otherwise per field), decimals finite, JSON neither too deep nor NaN, birth dates
    from 1900 to today, and `value_ranges` (field -> (lowest, highest)) on numbers."""

    text_max: dict[str, int] = {}
    value_ranges: dict[str, tuple[int, int]] = {}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("form_class", FiniteDecimalField)
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", BoundedJSONField)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if field is None:
            return field
        if isinstance(db_field, models.TextField) and isinstance(field, forms.CharField):
            limit = self.text_max.get(db_field.name, CLINICAL_TEXT_MAX)
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = str(limit)
        if isinstance(db_field, models.DateField) and db_field.name == "date_of_birth":
            field.validators.append(validate_birth_date)
        if db_field.name in self.value_ranges:
            low, high = self.value_ranges[db_field.name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update(min=str(low), max=str(high))
        return field


class AuditedAdminMixin(BoundedAdminMixin):
    """Every add, change and delete made in the admin is written to the audit trail, with the
    old and new values of the changed fields that are on the allow-list (clinic configuration
    must never change silently, and secrets must never reach the trail). Changed fields off
    the list are named, without values, under "not_recorded"."""

    # The fields whose values may be recorded. None: the model's own fields, minus any whose
    # name looks secret (core.audit.is_secret_key). Set it where a model holds secrets.
    audit_fields: tuple[str, ...] | None = None

    def audit_allowed_fields(self, obj: Model) -> set[str]:
        if self.audit_fields is not None:
            return set(self.audit_fields)
        names = {f.name for f in obj._meta.get_fields() if f.concrete or f.many_to_many} - {
            f.name for f in obj._meta.get_fields() if f.auto_created and not f.concrete
        }
        return {name for name in names if not is_secret_key(name)}

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        allowed = self.audit_allowed_fields(obj)
        recorded = [name for name in form.changed_data if name in allowed]
        before = {}
        if change and obj.pk:
            previous = type(obj)._default_manager.filter(pk=obj.pk).values().first() or {}
            before = {name: previous.get(name) for name in recorded if name in previous}
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        after = {name: _plain(form.cleaned_data.get(name)) for name in recorded}
        data: dict[str, Any] = {"before": before, "after": after}
        withheld = sorted(set(form.changed_data) - set(recorded))
        if withheld:
            data["not_recorded"] = withheld
        audit_record(
            action="config.change" if change else "config.add",
            actor=request.user,  # type: ignore[arg-type]
            target=f"{obj._meta.label_lower}:{obj.pk}",
            data=data,
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        target = f"{obj._meta.label_lower}:{obj.pk}"
        super().delete_model(request, obj)  # type: ignore[misc]
        audit_record(action="config.delete", actor=request.user, target=target)  # type: ignore[arg-type]


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin[ClinicSettings]):
    value_ranges = CLINIC_SETTINGS_RANGES

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ClinicSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_admin_actor: ContextVar[User | None] = ContextVar("pathway_admin_actor", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """The admin's "change password" form, saved through `user_password_reset` (audited)."""

    def save(self, commit: bool = True) -> Any:
        actor = _admin_actor.get()
        if actor is None:
            raise AccessDenied("Password changes go through the admin view.")
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data.get("password1") if usable else None
        user_password_reset(actor=actor, user=self.user, password=password)
        return self.user


@admin.register(User)
class UserAdmin(BoundedAdminMixin, BaseUserAdmin[User]):
    """Accounts. Roles, passwords, activation and profile edits go through the audited services
    in core.services, which refuse escalation (see its docstring); the form only shows a clinic
    admin the fields they may use, and the services check again whatever is posted."""

    list_display = ("username", "first_name", "last_name", "email", "is_active")
    list_filter = ("groups", "is_active")
    change_password_form = AuditedPasswordChangeForm
    actions = ("lift_lockout", "end_sessions")
    readonly_fields = ("last_login", "date_joined")

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            fields = ("username", "usable_password", "password1", "password2")
            return ((None, {"classes": ("wide",), "fields": fields}),)
        if _actor(request).is_superuser:
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ("username", "password")}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Access", {"fields": ("is_active", "groups")}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            names = [r.value for r in assignable_roles(_actor(request))]
            if not _actor(request).is_superuser:
                kwargs["queryset"] = Group.objects.filter(name__in=names)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not user_manageable_by(_actor(request), obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _actor(request).is_superuser and super().has_delete_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        token = _admin_actor.set(_actor(request))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor = _actor(request)
        previous = User.objects.filter(pk=obj.pk).values().first() if change else None
        profile = [n for n in form.changed_data if n not in {"groups", "is_active", "password"}]
        changed = {
            name: ((previous or {}).get(name), form.cleaned_data.get(name))
            for name in profile
            if name not in {"usable_password", "password1", "password2", "user_permissions"}
        }
        if change and previous is not None and "is_active" in form.changed_data:
            obj.is_active = previous["is_active"]  # set below by its own service
        if not actor.is_superuser:
            # Defence in depth: the form a clinic admin gets never carries these fields.
            obj.is_staff = bool(previous and previous["is_staff"])
            obj.is_superuser = bool(previous and previous["is_superuser"])
        user_account_save(actor=actor, user=obj, created=not change, changed=changed)
        if "is_active" in form.changed_data and change:
            user_active_set(actor=actor, user=obj, active=form.cleaned_data["is_active"])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        groups = form.cleaned_data.pop("groups", None)
        if not _actor(request).is_superuser:
            form.cleaned_data.pop("user_permissions", None)
        super().save_related(request, form, formsets, change)
        if groups is not None:
            user = form.instance
            roles = {r for r in Role if r.value in {g.name for g in groups}}
            if not _actor(request).is_superuser:
                # Roles the clinic admin cannot see in the form are kept as they are.
                roles |= set(user_roles(user)) - set(assignable_roles(_actor(request)))
            user_role_set(actor=_actor(request), user=user, roles=roles)
            others = [g for g in groups if g.name not in {r.value for r in Role}]
            if _actor(request).is_superuser:
                user.groups.set([*user.groups.filter(name__in=[r.value for r in Role]), *others])

    @admin.action(description="Lift the sign-in lockout")
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_lockout_lift(actor=_actor(request), user=user)
        self.message_user(request, f"Lockout lifted for {queryset.count()} account(s).")

    @admin.action(description="Sign out everywhere (end all sessions)")
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_sessions_end_all(actor=_actor(request), user=user)
        self.message_user(request, f"Sessions ended for {queryset.count()} account(s).")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, admin.ModelAdmin[Patient]):
    list_display = (
        "mrn",
        "family_name",
        "given_name",
        "date_of_birth",
        "email",
        "preferred_language",
    )
    search_fields = ("mrn", "family_name", "given_name", "email")
    raw_id_fields = ("user",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the trail is append-only, so no add, change or delete from here either."""

    list_display = ("seq", "created_at", "action", "actor_label", "case_id", "target", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "target", "action")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _unregister_second_factor_admins() -> None:
    """Second factors belong to their owners (the Security page): nobody, not even a superuser,
    creates or reads another person's authenticator key or recovery codes in the admin. An
    admin who could would hold a physician's signature."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_second_factor_admins()
