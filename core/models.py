"""People (users, patients) and the append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. Roles are Django groups (see core.roles)."""

    class Meta:
        ordering = ("last_name", "first_name", "username")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class SexAtBirth(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded"
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"


class Patient(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    mrn = models.CharField("medical record number", max_length=32, unique=True)
    sex_at_birth = models.CharField(
        max_length=10,
        choices=SexAtBirth.choices,
        default=SexAtBirth.UNKNOWN,
        help_text="Needed for the esketamine REMS monitoring form.",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient_profile",
        help_text="The patient's own login, if they have one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("family_name", "given_name", "mrn")
        indexes: ClassVar = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only; they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only; they cannot be deleted.")


class AuditEntry(models.Model):
    """One event. `entry_hash` = SHA-256 over the canonical content, which includes the hash
    of the entry before it, so removing or editing any entry breaks every hash after it."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("seq",)
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only; they cannot be deleted.")


class ClinicSettings(models.Model):
    """The clinic's tunable numbers, one row, edited by clinic admins (changes are audited)."""

    bp_systolic_max = models.PositiveSmallIntegerField(
        "highest acceptable systolic pressure (mmHg)", default=140
    )
    bp_diastolic_max = models.PositiveSmallIntegerField(
        "highest acceptable diastolic pressure (mmHg)", default=90
    )
    minimum_age = models.PositiveSmallIntegerField(default=18)
    adequate_trials_for_trd = models.PositiveSmallIntegerField(
        "adequate antidepressant trials for treatment resistance", default=2
    )
    adequate_trial_min_weeks = models.PositiveSmallIntegerField(
        "weeks for a trial to count as adequate", default=6
    )
    consent_link_days = models.PositiveSmallIntegerField(
        "days a consent invitation link stays valid", default=7
    )
    link_max_dob_attempts = models.PositiveSmallIntegerField(
        "wrong date-of-birth tries before a link locks", default=5
    )
    # Treatment safety (issue 10): the gates before a dose, and who is told about alerts.
    predose_systolic_max = models.PositiveSmallIntegerField(
        "highest systolic pressure before dosing without a physician's clearance (mmHg)",
        default=140,
        help_text="Esketamine label: consider delaying above 140/90.",
    )
    predose_diastolic_max = models.PositiveSmallIntegerField(
        "highest diastolic pressure before dosing without a physician's clearance (mmHg)",
        default=90,
    )
    dose_tolerance_percent = models.DecimalField(
        "dose tolerance (% of the approved dose)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        help_text="A dose differing from the plan by more than this needs a physician's "
        "recorded deviation. 0: any difference does.",
    )
    session_early_days = models.PositiveSmallIntegerField(
        "days before its scheduled date a session may be given",
        default=1,
    )
    childbearing_age_min = models.PositiveSmallIntegerField(
        "pregnancy status asked from age", default=12
    )
    childbearing_age_max = models.PositiveSmallIntegerField(
        "pregnancy status asked up to age", default=55
    )
    on_call_email = models.EmailField(
        "on-call address for safety notices",
        blank=True,
        help_text="Told, with the case's physician, when an alert is raised, a link locks or a "
        "patient withdraws.",
    )
    rems_enrolment_number = models.CharField(
        "esketamine REMS healthcare setting enrolment number", max_length=40, blank=True
    )
    rems_certification_number = models.CharField(
        "esketamine REMS certification number", max_length=40, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"

    def __str__(self) -> str:
        return "Clinic settings"

    @classmethod
    def current(cls) -> ClinicSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
