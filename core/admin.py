from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from core.audit import audit_record, is_secret_key
from core.models import AuditEntry, ClinicSettings, Patient, User

admin.site.site_header = "Pathway administration"
admin.site.site_title = "Pathway"


def _plain(value: Any) -> Any:
    """Model instances and querysets as primary keys, so the trail holds ids, not reprs."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return [_plain(item) for item in value]
    return value


class AuditedAdminMixin:
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
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ClinicSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin[User]):
    audit_fields = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active")
    list_filter = ("groups", "is_active")


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, admin.ModelAdmin[Patient]):
    list_display = ("mrn", "family_name", "given_name", "date_of_birth", "email")
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
