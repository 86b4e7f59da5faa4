"""What an imported FHIR Bundle brought that Pathway does not recreate as its own records: kept
as received (ids and references rewritten to this database), read-only history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from planning.intake.models import ImmutableRecord


class ImportedResource(ImmutableRecord):
    """One FHIR resource of an imported Bundle: a consent with its sealed PDF (hashes checked at
    import), a signature's provenance, a plan and its medication order as the source recorded
    them, a questionnaire response and its score, a measurement. Never a signature made here:
    no treatment gate reads these rows; the case's own consent and plan are made here."""

    case = models.ForeignKey(
        "planning.Case", on_delete=models.PROTECT, related_name="imported_resources"
    )
    position = models.PositiveIntegerField()
    resource_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)
    resource = models.JSONField()
    sha256 = models.CharField(max_length=64)
    #: The clinic's own re-scored copy of an imported questionnaire response.
    local_response = models.ForeignKey(
        "planning.QuestionnaireResponse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("case", "position")
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="imported_resource_position")
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource['id']} (imported)"
