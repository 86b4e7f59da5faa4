from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from planning.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    """The state is read-only here: it only moves through the pathway's transitions."""

    list_display = ("pk", "patient", "state", "physician", "state_changed_at")
    list_filter = ("state",)
    search_fields = ("patient__family_name", "patient__given_name", "patient__mrn")
    readonly_fields = ("state", "held_from", "state_changed_at", "created_at", "updated_at")
    raw_id_fields = ("patient", "physician", "opened_by")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
