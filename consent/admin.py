"""Clinic admins draft and publish consent versions here; a published version is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from consent.models import (
    ComprehensionQuestion,
    ConsentDocument,
    ConsentRequest,
    ConsentSignature,
    ConsentVersion,
)
from consent.services import consent_version_publish
from core.admin import AuditedAdminMixin, BoundedAdminMixin
from core.audit import audit_record
from core.errors import DomainError
from core.validators import DOCUMENT_TEXT_MAX


class QuestionInline(
    BoundedAdminMixin, admin.TabularInline[ComprehensionQuestion, ConsentDocument]
):
    model = ComprehensionQuestion
    extra = 0
    fields = (
        "language",
        "position",
        "prompt",
        "choices",
        "correct_choice",
        "section_heading",
        "active",
    )


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(AuditedAdminMixin, admin.ModelAdmin[ConsentDocument]):
    list_display = ("title", "kind", "allow_representative", "countersignature", "created_at")
    inlines = (QuestionInline,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[Any],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        """Questions are configuration too: every change is audited."""
        super().save_formset(request, form, formset, change)
        changed = [
            f"{type(o).__name__.lower()}:{o.pk}"
            for o in formset.new_objects + [o for o, _ in formset.changed_objects]
        ]
        deleted = [f"deleted:{o.pk}" for o in formset.deleted_objects]
        if changed or deleted:
            audit_record(
                action="config.change",
                actor=request.user,  # type: ignore[arg-type]
                target=f"consent.consentdocument:{form.instance.pk}",
                data={"questions": changed + deleted},
            )


@admin.register(ConsentVersion)
class ConsentVersionAdmin(AuditedAdminMixin, admin.ModelAdmin[ConsentVersion]):
    list_display = (
        "label",
        "document",
        "language",
        "source_version",
        "material_change",
        "published_at",
        "short_hash",
    )
    list_select_related = ("document", "source_version")
    list_filter = ("document", "language", "material_change")
    fields = (
        "document",
        "label",
        "language",
        "source_version",
        "title",
        "material_change",
        "change_summary",
        "supersedes",
        "body_markdown",
        "body_sha256",
        "published_at",
        "published_by",
    )
    readonly_fields = ("body_sha256", "published_at", "published_by")
    actions = ("publish",)
    text_max = {"body_markdown": DOCUMENT_TEXT_MAX}

    @admin.display(description="SHA-256")
    def short_hash(self, obj: ConsentVersion) -> str:
        return f"{obj.body_sha256[:12]}…" if obj.body_sha256 else "draft"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False  # the admin shows it read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Publish the selected drafts (final: they can never change)")
    def publish(self, request: HttpRequest, queryset: QuerySet[ConsentVersion]) -> None:
        for version in queryset.order_by("created_at"):
            try:
                consent_version_publish(version_id=version.pk, actor=request.user)  # type: ignore[arg-type]
            except DomainError as exc:
                self.message_user(
                    request,
                    f"{version.label}: {exc.message} {exc.details.get('fields', '')}",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"{version.label} is published.", messages.SUCCESS)


class _ReadOnlyAdmin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConsentRequest)
class ConsentRequestAdmin(_ReadOnlyAdmin, admin.ModelAdmin[ConsentRequest]):
    list_display = ("pk", "case_id", "patient", "status", "created_at", "expires_at")
    list_select_related = ("patient", "link")
    list_filter = ("status",)


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(_ReadOnlyAdmin, admin.ModelAdmin[ConsentSignature]):
    list_display = ("pk", "case_id", "typed_name", "signer_role", "version", "signed_at")
    list_select_related = ("version__document",)
    exclude = ("image_png", "document_html", "strokes")
