"""Sealed records in the admin: read-only, and the list never reads the PDF bytes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from records.models import SealedRecord


@admin.register(SealedRecord)
class SealedRecordAdmin(admin.ModelAdmin[SealedRecord]):
    list_display = ("created_at", "kind", "owner_id", "version", "owner_label", "seal_level")
    list_filter = ("kind", "seal_level", "origin")
    search_fields = ("sha256", "owner_label")
    readonly_fields = [f.name for f in SealedRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
