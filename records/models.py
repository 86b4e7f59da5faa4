"""Sealed records: one row per sealed PDF of any kind (consent, dosing plan, REMS form, case
summary).

records sits between core and consent and imports core only, so the owner of a record is named
by plain values (`kind`, `owner_id`, `owner_label`, `case_id`, `patient_id`), like the audit
trail does. The PDF bytes live in a separate table (`SealedRecordContent`), so no list, page or
lookup of records ever reads them by accident: only `records.selectors.record_content` does.

Both tables are insert-only: a sealed record is never edited or deleted; a new version of a
document is a new row that points at the one it supersedes.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableRecordError(RuntimeError):
    """Raised on any attempt to change or delete a final record."""


_M = TypeVar("_M", bound=models.Model)


class InsertOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be changed.")

    def delete(self) -> NoReturn:
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be deleted.")


class InsertOnly(models.Model):
    """Insert-only: saving an existing row or deleting one raises (consent's final records use
    it too)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError(f"A {self._meta.verbose_name} is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRecordError(f"A {self._meta.verbose_name} is never deleted.")


class RecordKind(models.TextChoices):
    # Shown to patients (their records, in their language) as well as to staff.
    CONSENT = "consent", _("Consent signature")
    PLAN = "plan", _("Dosing plan")
    REMS = "rems", _("REMS patient monitoring form")
    CASE_SUMMARY = "case_summary", _("Case summary")


class RecordOrigin(models.TextChoices):
    SEALED = "sealed", "First sealed"
    REGENERATED = "regenerated", "Re-generated after its data changed"
    RENEWED = "renewed", "Archive time-stamp renewed (same document, validation data appended)"


class SealedRecord(InsertOnly):
    """What was sealed, for whom, when and how: everything but the bytes."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    owner_id = models.PositiveBigIntegerField(help_text="Signature, plan, session or case id.")
    owner_label = models.CharField(
        max_length=500, help_text="What the record is, as it stood when sealed."
    )
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    origin = models.CharField(
        max_length=16, choices=RecordOrigin.choices, default=RecordOrigin.SEALED
    )
    layout_version = models.CharField(max_length=32, default="1")
    source_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the HTML that was rendered."
    )
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    sealed_by = models.CharField(max_length=400)
    seal_level = models.CharField(max_length=16, blank=True, help_text="PAdES level reached.")
    timestamped_at = models.DateTimeField(null=True, blank=True)
    timestamp_authority = models.CharField(max_length=400, blank=True)
    archive_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the newest archive time-stamp's certificate expires."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = InsertOnlyQuerySet["SealedRecord"].as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "sealed record"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_id", "version"], name="records_one_version_per_owner"
            )
        ]
        indexes = [models.Index(fields=["kind", "owner_id"], name="records_kind_owner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.owner_label} · v{self.version}"

    @property
    def audit_target(self) -> str:
        return f"sealed_record:{self.pk}"


class SealedRecordContent(InsertOnly):
    """The sealed PDF bytes, kept apart so that only a download or a check reads them."""

    record = models.OneToOneField(
        SealedRecord, primary_key=True, on_delete=models.PROTECT, related_name="content"
    )
    pdf_bytes = models.BinaryField()

    objects = InsertOnlyQuerySet["SealedRecordContent"].as_manager()

    class Meta:
        verbose_name = "sealed record content"
