from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from core.models import AuditEntry, Patient, User

admin.site.site_header = "Pathway administration"
admin.site.site_title = "Pathway"


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "email", "is_active")
    list_filter = ("groups", "is_active")


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin[Patient]):
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
