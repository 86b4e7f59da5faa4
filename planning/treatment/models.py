"""The clinic protocol per route, the physician's dosing plan, and monitored treatment sessions.

The software records and checks what clinicians decide: the protocol holds the clinic's
allowed ranges, the plan holds the physician's dose; nothing here proposes a dose.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class Route(models.TextChoices):
    INTRAVENOUS = "iv", "Intravenous infusion"
    INTRAMUSCULAR = "im", "Intramuscular injection"
    INTRANASAL_ESKETAMINE = "intranasal_esketamine", "Intranasal esketamine"
    ORAL_SUBLINGUAL = "oral_sublingual", "Oral or sublingual"


class DoseUnit(models.TextChoices):
    MG_PER_KG = "mg_per_kg", "mg/kg (computed from the evaluated weight)"
    MG = "mg", "fixed mg"


BIOAVAILABILITY: dict[str, str] = {  # for display only (DOMAIN.md)
    Route.INTRAVENOUS: "about 100 %",
    Route.INTRAMUSCULAR: "high",
    Route.INTRANASAL_ESKETAMINE: "30-50 %",
    Route.ORAL_SUBLINGUAL: "10-30 %",
}


class ClinicProtocol(models.Model):
    """The clinic's allowed range and monitoring rules for one route (edited in the admin)."""

    route = models.CharField(max_length=24, choices=Route.choices, unique=True)
    active = models.BooleanField(default=False)
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices)
    dose_min = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    dose_max = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    default_infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_min = models.PositiveSmallIntegerField(default=1)
    sessions_max = models.PositiveSmallIntegerField(default=12)
    frequencies = models.TextField(help_text="Allowed frequencies, one per line.")
    vital_sign_minutes = models.CharField(
        max_length=100, help_text="Minutes after dosing start, comma-separated (e.g. 0,15,30)."
    )
    minimum_observation_minutes = models.PositiveSmallIntegerField()
    cost_per_session_cents = models.PositiveIntegerField(default=0)
    device_mg = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="mg per device (esketamine: 28)."
    )
    older_patient_age = models.PositiveSmallIntegerField(null=True, blank=True)
    older_patient_start_max_mg = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Highest first dose without an override for patients of that age or older.",
    )

    class Meta:
        ordering = ("route",)

    def __str__(self) -> str:
        return self.get_route_display()

    @property
    def frequency_list(self) -> list[str]:
        return [line.strip() for line in self.frequencies.splitlines() if line.strip()]

    @property
    def vital_minutes(self) -> list[int]:
        return [int(m) for m in self.vital_sign_minutes.split(",") if m.strip().isdigit()]

    def snapshot(self) -> dict[str, Any]:
        """The protocol as it stood when a plan was approved, kept with the plan."""
        fields = [
            "route",
            "dose_unit",
            "dose_min",
            "dose_max",
            "default_infusion_minutes",
            "sessions_min",
            "sessions_max",
            "frequencies",
            "vital_sign_minutes",
            "minimum_observation_minutes",
            "cost_per_session_cents",
            "device_mg",
            "older_patient_age",
            "older_patient_start_max_mg",
        ]
        return {name: _plain(getattr(self, name)) for name in fields}


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


class DosingPlan(models.Model):
    """One version of a case's plan. A draft may change; an approved plan never does."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    amendment_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    protocol = models.ForeignKey(ClinicProtocol, on_delete=models.PROTECT)
    route = models.CharField(max_length=24, choices=Route.choices)
    dose_mg_per_kg = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    weight_kg_used = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions = models.PositiveSmallIntegerField()
    frequency = models.CharField(max_length=100)
    start_date = models.DateField()
    monitoring_requirements = models.TextField()
    concurrent_psychotherapy = models.TextField(blank=True)
    cost_per_session_cents = models.PositiveIntegerField()
    total_cost_cents = models.PositiveIntegerField()
    override_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Filled once, at approval (21 CFR 11.50: printed name, date and time, meaning).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approver_printed_name = models.CharField(max_length=200, blank=True)
    signature_meaning = models.CharField(max_length=100, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    protocol_snapshot = models.JSONField(default=dict, blank=True)
    consent_reference = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-version",)
        permissions: ClassVar = [
            ("view_plan", "Can read dosing plans and their sealed PDFs"),
            ("write_plan", "Can write a draft dosing plan"),
            ("end_treatment_early", "Can end a course of treatment before its planned end"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version"),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="draft"), name="one_draft_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.version} for case {self.case_id} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Once approved in the database, a plan never changes (its sealed PDF is a record)."""
        if self.pk and not self._state.adding:
            stored = DosingPlan.objects.filter(pk=self.pk).values("status").first()
            if stored and stored["status"] == self.Status.APPROVED:
                from planning.intake.models import RecordImmutable

                raise RecordImmutable("An approved plan cannot change: amend it instead.")
        super().save(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class TreatmentSession(models.Model):
    """One monitored dosing session, scheduled from the plan and signed off by a clinician."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SIGNED_OFF = "signed_off", "Signed off"
        SUSPENDED = "suspended", "Suspended (case not in active treatment)"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="sessions")
    plan = models.ForeignKey(
        DosingPlan, on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    number = models.PositiveSmallIntegerField()
    scheduled_for = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    pre_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    pre_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    pre_heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    pre_spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    # The pre-dose checklist (gates.py): recorded before the dose, re-recorded until dosing.
    predose_recorded_at = models.DateTimeField(null=True, blank=True)
    predose_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_medications = models.TextField(
        blank=True, help_text="New medications since the last session, one per line."
    )
    pregnancy_status = models.CharField(max_length=20, blank=True)
    predose_escort_confirmed = models.BooleanField(null=True, blank=True)
    last_meal_at = models.DateTimeField(null=True, blank=True)
    # A physician's clearance of pre-dose vitals above the clinic's limits (bound to the values).
    bp_clearance_for = models.CharField(max_length=20, blank=True)
    bp_clearance_reason = models.TextField(blank=True)
    bp_clearance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bp_clearance_at = models.DateTimeField(null=True, blank=True)
    # A physician's recorded deviation from the approved plan's dose.
    deviation_dose_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    deviation_reason = models.TextField(blank=True)
    deviation_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deviation_at = models.DateTimeField(null=True, blank=True)
    # What the dose rested on when it was given (the gates held at that moment).
    consent_signature = models.ForeignKey(
        "consent.ConsentSignature",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dosing_started_at = models.DateTimeField(null=True, blank=True)
    dose_given_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    lot_number = models.CharField(max_length=60, blank=True)
    device_count = models.PositiveSmallIntegerField(null=True, blank=True)
    first_treatment = models.BooleanField(default=False)
    moaas = models.PositiveSmallIntegerField("MOAA/S sedation (0-5)", null=True, blank=True)
    cadss = models.JSONField("CADSS-6 items", default=dict, blank=True)
    respiratory_depression = models.BooleanField(default=False)
    adverse_events = models.TextField(blank=True)
    serious_adverse_event = models.BooleanField(default=False)
    discharged_at = models.DateTimeField(null=True, blank=True)
    ready_to_leave_at = models.DateTimeField(null=True, blank=True)
    discharge_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    discharge_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    discharge_heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    discharge_vitals_acceptable = models.BooleanField(null=True, blank=True)
    discharge_alert = models.BooleanField(null=True, blank=True)
    escort_confirmed = models.BooleanField(null=True, blank=True)
    physician_note = models.TextField(blank=True)
    physician_note_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    rems_due_at = models.DateTimeField(null=True, blank=True)
    rems_submitted_at = models.DateTimeField(null=True, blank=True)
    rems_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("case", "number")
        permissions: ClassVar = [
            ("view_session", "Can read treatment sessions and their REMS forms"),
            ("record_session", "Can record session monitoring and sign a session off"),
            ("write_physician_note", "Can write the physician's discharge note"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["plan", "number"], name="session_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of case {self.case_id}"

    @property
    def cadss_total(self) -> int | None:
        return sum(int(v) for v in self.cadss.values()) if self.cadss else None


class VitalSignReading(models.Model):
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="vitals")
    minute = models.PositiveSmallIntegerField(help_text="Minutes after dosing started.")
    systolic_bp = models.PositiveSmallIntegerField()
    diastolic_bp = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("session", "minute", "pk")


class EarlyCompletion(models.Model):
    """A physician's written decision to end treatment before the planned sessions are done."""

    case = models.OneToOneField("planning.Case", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
