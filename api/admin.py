from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from api.models import ApiToken
from api.services import api_token_revoke
from core.access import request_user
from core.admin import BoundedAdminMixin


@admin.register(ApiToken)
class ApiTokenAdmin(BoundedAdminMixin, admin.ModelAdmin[ApiToken]):
    """Tokens are issued with `python manage.py issue_api_token` (the token is shown once);
    here they are listed and revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("user", "name", "prefix", "created_at", "created_by", "last_used_at")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token, actor=request_user(request))
        messages.success(request, f"Revoked {queryset.count()} token(s).")
