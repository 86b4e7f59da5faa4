from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import AuditedAdminMixin, BoundedAdminMixin
from planning.intake.models import (
    ContraindicationType,
    InteractionClass,
    InteractionRule,
    QuestionnaireDefinition,
)
from planning.pathway.models import Case
from planning.treatment.models import ClinicProtocol


@admin.register(Case)
class CaseAdmin(BoundedAdminMixin, admin.ModelAdmin[Case]):
    """The state is read-only here: it only moves through the pathway's transitions."""

    list_display = ("pk", "patient", "state", "physician", "state_changed_at")
    list_filter = ("state",)
    search_fields = ("patient__family_name", "patient__given_name", "patient__mrn")
    readonly_fields = ("state", "held_from", "state_changed_at", "created_at", "updated_at")
    raw_id_fields = ("patient", "physician", "opened_by")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuestionnaireDefinition)
class QuestionnaireDefinitionAdmin(AuditedAdminMixin, admin.ModelAdmin[QuestionnaireDefinition]):
    """A definition already answered is frozen: add a new version instead of editing it."""

    list_display = ("title", "code", "version", "active", "required_at_evaluation")
    list_filter = ("active",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None and obj.questionnaireresponse_set.exists():
            return ("code", "version", "definition")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContraindicationType)
class ContraindicationTypeAdmin(AuditedAdminMixin, admin.ModelAdmin[ContraindicationType]):
    list_display = ("label", "kind", "derived_from", "active", "position")
    list_editable = ("position",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InteractionClass)
class InteractionClassAdmin(AuditedAdminMixin, admin.ModelAdmin[InteractionClass]):
    list_display = ("label", "code")
    search_fields = ("label", "code", "members", "synonyms")


@admin.register(InteractionRule)
class InteractionRuleAdmin(AuditedAdminMixin, admin.ModelAdmin[InteractionRule]):
    list_display = ("code", "severity", "active")
    list_filter = ("severity", "active")


@admin.register(ClinicProtocol)
class ClinicProtocolAdmin(AuditedAdminMixin, admin.ModelAdmin[ClinicProtocol]):
    """Each route's allowed range and monitoring rules; an approved plan keeps a snapshot of
    the protocol as it stood, so later edits never change what was signed."""

    list_display = (
        "route",
        "active",
        "dose_unit",
        "dose_min",
        "dose_max",
        "sessions_max",
        "minimum_observation_minutes",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per route, created by the migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
