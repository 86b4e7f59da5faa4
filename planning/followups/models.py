"""Follow-up checks: database rows swept by beat. The broker only carries nudges."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowUpKind(models.TextChoices):
    CHECK_IN = "check_in", _("Next-day check-in")
    PHQ9 = "phq9", _("PHQ-9 questionnaire")
    BP_RECHECK = "bp_recheck", "Blood-pressure re-check"
    RE_EVALUATION = "re_evaluation", "Re-evaluation after induction"
    REMS_FORM = "rems_form", "REMS monitoring form due"
    UNSIGNED_CONSENT = "unsigned_consent", "Unsigned consent reminder"
    CUSTOM = "custom", "Custom"


# Kinds the patient answers through a link; the others become a task on the staff board.
PATIENT_KINDS = frozenset({FollowUpKind.PHQ9})


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DUE = "due", "Due (task on the staff board)"
    REMINDED = "reminded", "Reminded (patient e-mailed)"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.REMINDED)


class FollowUp(models.Model):
    case = models.ForeignKey("planning.Case", on_delete=models.PROTECT, related_name="followups")
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    # Makes creating the same follow-up twice impossible (e.g. "plan:12:phq9:week2").
    key = models.CharField(max_length=120, unique=True)
    due_at = models.DateTimeField()
    window_ends_at = models.DateTimeField(help_text="After this it counts as missed.")
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    title = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    generated = models.BooleanField(default=True, help_text="False when added by staff.")
    # The sweep's claim: a row is worked on by one sweep until the claim expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The patient's link (PHQ-9), made when the reminder is decided (core.links).
    link = models.OneToOneField(
        "core.PatientLink",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followup",
    )
    response = models.ForeignKey(
        "planning.QuestionnaireResponse", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_at", "pk")
        permissions: ClassVar = [
            ("manage_followups", "Can add, reschedule and complete follow-ups"),
        ]
        indexes: ClassVar = [
            # The sweep reads only open rows by due time: cost follows the due rows, not the
            # table (bench/followups.py).
            models.Index(
                fields=["due_at"],
                name="followup_open_due",
                condition=models.Q(status__in=["scheduled", "due", "reminded"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for case {self.case_id} due {self.due_at:%Y-%m-%d}"
