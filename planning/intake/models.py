"""Intake records: consultation, evaluation (vitals, questionnaires, screening), safety alerts,
contraindications and the medication review, plus the clinic-editable reference data.

Clinical records are versioned, never overwritten: a correction is a new row whose
`supersedes` points at the one it corrects, and the model refuses updates and deletes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from planning.intake import interactions, scoring


class RecordImmutable(RuntimeError):
    """A clinical record was about to be changed in place; record a correction instead."""


class ImmutableRecord(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RecordImmutable(f"{self._meta.verbose_name} is a record: add a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RecordImmutable(f"{self._meta.verbose_name} is a record and cannot be deleted.")


class VersionedRecord(ImmutableRecord):
    """One version of a record for a case; version 1 is the original."""

    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ("-version",)


class Consultation(VersionedRecord):
    case = models.ForeignKey(
        "planning.Case", on_delete=models.PROTECT, related_name="consultations"
    )
    presenting_symptoms = models.TextField()
    symptom_duration_months = models.PositiveSmallIntegerField("duration of symptoms (months)")
    psychotherapy_history = models.TextField(blank=True)
    referral_source = models.CharField(max_length=200, blank=True)

    class Meta(VersionedRecord.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "version"], name="consultation_version")
        ]


class TrialResponse(models.TextChoices):
    NONE = "none", "No response"
    PARTIAL = "partial", "Partial response"
    RESPONSE = "response", "Responded"
    NOT_TOLERATED = "not_tolerated", "Not tolerated"


class AntidepressantTrial(ImmutableRecord):
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="trials")
    drug = models.CharField(max_length=120)
    dose_mg = models.DecimalField("daily dose (mg)", max_digits=7, decimal_places=2)
    weeks = models.PositiveSmallIntegerField()
    response = models.CharField(max_length=16, choices=TrialResponse.choices)

    class Meta:
        ordering = ("pk",)

    def is_adequate(self, min_weeks: int) -> bool:
        """An adequate trial without response counts toward treatment resistance."""
        return self.weeks >= min_weeks and self.response in {
            TrialResponse.NONE,
            TrialResponse.PARTIAL,
        }


class PregnancyStatus(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_PREGNANT = "not_pregnant", "Not pregnant, not breastfeeding"
    PREGNANT = "pregnant", "Pregnant"
    BREASTFEEDING = "breastfeeding", "Breastfeeding"
    UNKNOWN = "unknown", "Unknown (to be confirmed)"


class Evaluation(VersionedRecord):
    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="evaluations")
    systolic_bp = models.PositiveSmallIntegerField("systolic blood pressure (mmHg)")
    diastolic_bp = models.PositiveSmallIntegerField("diastolic blood pressure (mmHg)")
    heart_rate = models.PositiveSmallIntegerField("heart rate (beats/min)")
    spo2_percent = models.PositiveSmallIntegerField("SpO2 (%)")
    weight_kg = models.DecimalField("weight (kg)", max_digits=5, decimal_places=1)
    height_cm = models.DecimalField("height (cm)", max_digits=4, decimal_places=1)
    pregnancy_status = models.CharField(max_length=20, choices=PregnancyStatus.choices)
    psychiatric_history = models.TextField(blank=True)
    # The clinician's answers to the contraindication checklist: {code: true|false}.
    screening = models.JSONField(default=dict)

    class Meta(VersionedRecord.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "version"], name="evaluation_version")
        ]

    @property
    def bmi(self) -> Decimal:
        metres = self.height_cm / Decimal(100)
        return (self.weight_kg / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)


class QuestionnaireDefinition(models.Model):
    """A scale as data (items, options, scoring, bands, alerts): see planning.intake.scoring."""

    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    active = models.BooleanField(default=True)
    required_at_evaluation = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "code", "-version")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def clean(self) -> None:
        try:
            parsed = scoring.parse_definition(self.definition)
        except scoring.DefinitionError as exc:
            raise ValidationError({"definition": str(exc)}) from exc
        if parsed.code != self.code:
            raise ValidationError({"definition": "The definition's code must match the code."})

    def parsed(self) -> scoring.QuestionnaireDefinition:
        return scoring.parse_definition(self.definition)


class QuestionnaireResponse(ImmutableRecord):
    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="responses")
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    definition = models.ForeignKey(QuestionnaireDefinition, on_delete=models.PROTECT)
    answers = models.JSONField()
    total = models.SmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=80, blank=True)
    positive = models.BooleanField(null=True, blank=True)
    alerts = models.JSONField(default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-recorded_at",)

    @property
    def summary(self) -> str:
        if self.total is not None:
            return f"{self.total} ({self.band})" if self.band else str(self.total)
        return "positive" if self.positive else "negative"


class AlertDecision(models.TextChoices):
    CONTINUE = "continue", "Continue treatment"
    HOLD = "hold", "Hold treatment"
    REFER = "refer", "Refer (treatment held)"


class SafetyAlert(models.Model):
    """Shown on the case, the session page and the board until a physician has reviewed it and
    recorded a decision; a clinician may acknowledge it (with a note) before that. An alert
    without a decision blocks the next dose."""

    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="alerts")
    response = models.ForeignKey(
        QuestionnaireResponse, null=True, blank=True, on_delete=models.PROTECT
    )
    message = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=AlertDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-raised_at",)
        indexes: ClassVar = [models.Index(fields=["case", "acknowledged_at"])]
        permissions: ClassVar = [
            ("acknowledge_alert", "Can acknowledge a safety alert with a note"),
            ("decide_alert", "Can decide on a safety alert before the next dose"),
        ]

    @property
    def is_open(self) -> bool:
        """Open until a physician has recorded a decision (acknowledging alone is not enough)."""
        return self.decided_at is None


class ContraindicationKind(models.TextChoices):
    ABSOLUTE = "absolute", "Absolute (leads to ineligible)"
    RELATIVE = "relative", "Relative (a physician may override with a reason)"


class DerivedFrom(models.TextChoices):
    NONE = "", "Answered by the clinician"
    AGE = "age", "Age under the clinic minimum"
    BLOOD_PRESSURE = "blood_pressure", "Blood pressure above the clinic threshold"
    PREGNANCY = "pregnancy", "Pregnancy or breastfeeding status"


class ContraindicationType(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ContraindicationKind.choices)
    derived_from = models.CharField(max_length=20, blank=True, choices=DerivedFrom.choices)
    note = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "code")

    def __str__(self) -> str:
        return self.label


class ContraindicationOverride(ImmutableRecord):
    """A physician's written decision to proceed despite a relative contraindication."""

    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="overrides")
    contraindication = models.ForeignKey(ContraindicationType, on_delete=models.PROTECT)
    reason = models.TextField()
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "contraindication"], name="one_override")
        ]


class InteractionClass(models.Model):
    """A medication class: generic member names, one per line; brand names as `Brand = generic`."""

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=200)
    members = models.TextField(help_text="One generic name per line.")
    synonyms = models.TextField(blank=True, help_text="One per line: Brand name = generic name")

    class Meta:
        ordering = ("code",)
        verbose_name_plural = "interaction classes"

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        try:
            interactions.parse_classes([self.as_data()])
        except interactions.InteractionDataError as exc:
            raise ValidationError(str(exc)) from exc

    def as_data(self) -> dict[str, Any]:
        synonyms = {}
        for line in self.synonyms.splitlines():
            brand, _, generic = line.partition("=")
            if brand.strip() and generic.strip():
                synonyms[brand.strip()] = generic.strip()
        members = [m.strip() for m in self.members.splitlines() if m.strip()]
        return {"code": self.code, "label": self.label, "members": members, "synonyms": synonyms}


class Severity(models.TextChoices):
    INFO = "info", "Information"
    CAUTION = "caution", "Caution"
    MAJOR = "major", "Major"


class InteractionRule(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    matches = models.TextField(help_text="Class codes or drug names, one per line.")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    note = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        try:
            interactions.parse_rules([self.as_data()])
        except interactions.InteractionDataError as exc:
            raise ValidationError(str(exc)) from exc

    def as_data(self) -> dict[str, Any]:
        matches = [m.strip() for m in self.matches.splitlines() if m.strip()]
        return {"code": self.code, "matches": matches, "severity": self.severity, "note": self.note}


class MedicationKind(models.TextChoices):
    MEDICATION = "medication", "Medication"
    SUPPLEMENT = "supplement", "Supplement"


class Medication(models.Model):
    """A current medication or supplement. Stopping one is recorded, never deleted."""

    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=100)
    frequency = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=MedicationKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("recorded_at", "pk")


class MedicationReviewConfirmation(ImmutableRecord):
    """A clinician confirmed the medication list is complete as it stood at that moment."""

    case = models.ForeignKey(
        "planning.Case", on_delete=models.PROTECT, related_name="medication_confirmations"
    )
    medication_count = models.PositiveSmallIntegerField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-confirmed_at",)


class InteractionAcknowledgement(ImmutableRecord):
    case = models.ForeignKey(
        "planning.Case", on_delete=models.PROTECT, related_name="interaction_acks"
    )
    rule_code = models.CharField(max_length=60)
    generic = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    note = models.TextField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "rule_code", "generic"], name="one_ack")
        ]
