"""The case and its state machine (the care pathway).

Transitions carry their guards (`conditions=`) and who may perform them (`permission=`); only
`planning.pathway.services.case_transition` calls them, under a row lock, with the audit entry.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.models import Patient
from planning.pathway.states import FINAL_STATES, HOLDABLE_STATES, NON_FINAL_STATES, CaseState
from planning.pathway.workflow import guard_condition, permission_for


class Case(ConcurrentTransitionMixin, models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_physician",
        help_text="The assigned treating physician.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(
        default=CaseState.CONSULTATION,
        choices=CaseState.choices,
        protected=True,
        db_index=True,
    )
    held_from = models.CharField(
        max_length=32, blank=True, choices=CaseState.choices, editable=False
    )
    state_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [
            models.Index(fields=["state", "state_changed_at"]),
            # The board's open list, oldest change first, without the closed cases that pile
            # up for ever (planning.pathway.board; the same state list, in the same order).
            models.Index(
                fields=["state_changed_at", "id"],
                name="case_open_by_age",
                condition=~models.Q(state__in=sorted(FINAL_STATES)),
            ),
        ]
        permissions: ClassVar = [
            ("view_case_board", "Can see the case board and any case"),
            ("open_case", "Can open a case"),
            ("advance_intake", "Can complete consultation, evaluation and medication review"),
            ("record_consent", "Can record a signed consent for any case"),
            ("record_own_consent", "Can sign consent for own case"),
            ("approve_plan", "Can approve a dosing plan"),
            ("amend_plan", "Can amend an approved dosing plan"),
            ("require_reconsent", "Can send a case back for re-consent"),
            ("complete_treatment", "Can complete treatment"),
            ("hold_case", "Can put a case on hold and resume it"),
            ("withdraw_case", "Can record a withdrawal for any case"),
            ("withdraw_own_case", "Can withdraw from own case"),
            ("mark_ineligible", "Can confirm a case ineligible"),
            ("view_clinical", "Can read clinical intake records"),
            ("record_intake", "Can record consultation, evaluation and medications"),
            ("override_contraindication", "Can override a relative contraindication"),
            ("view_own_case", "Can see own case and its state"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} · {self.patient.full_name}"

    @property
    def is_final(self) -> bool:
        return self.state in {CaseState.COMPLETED, CaseState.WITHDRAWN, CaseState.INELIGIBLE}

    # The pathway, step by step.
    @transition(
        state,
        CaseState.CONSULTATION,
        CaseState.EVALUATION,
        conditions=[guard_condition("complete_consultation")],
        permission=permission_for("complete_consultation"),
    )
    def complete_consultation(self, reason: str = "") -> None:
        """Consultation notes are complete."""

    @transition(
        state,
        CaseState.EVALUATION,
        CaseState.MEDICATION_REVIEW,
        conditions=[guard_condition("complete_evaluation")],
        permission=permission_for("complete_evaluation"),
    )
    def complete_evaluation(self, reason: str = "") -> None:
        """Evaluation and screening are complete and every alert is resolved."""

    @transition(
        state,
        CaseState.MEDICATION_REVIEW,
        CaseState.CONSENT_PENDING,
        conditions=[guard_condition("complete_medication_review")],
        permission=permission_for("complete_medication_review"),
    )
    def complete_medication_review(self, reason: str = "") -> None:
        """Every medication is listed and each interaction flag acknowledged."""

    @transition(
        state,
        CaseState.CONSENT_PENDING,
        CaseState.PLAN_PENDING,
        conditions=[guard_condition("record_consent")],
        permission=permission_for("record_consent"),
    )
    def record_consent(self, reason: str = "") -> None:
        """The patient signed the current consent document."""

    @transition(
        state,
        CaseState.PLAN_PENDING,
        CaseState.ACTIVE,
        conditions=[guard_condition("approve_plan")],
        permission=permission_for("approve_plan"),
    )
    def approve_plan(self, reason: str = "") -> None:
        """A physician signed the dosing plan."""

    @transition(
        state,
        CaseState.ACTIVE,
        CaseState.PLAN_PENDING,
        conditions=[guard_condition("amend_plan")],
        permission=permission_for("amend_plan"),
    )
    def amend_plan(self, reason: str = "") -> None:
        """A plan amendment needs a new approval."""

    @transition(
        state,
        [CaseState.PLAN_PENDING, CaseState.ACTIVE],
        CaseState.CONSENT_PENDING,
        conditions=[guard_condition("require_reconsent")],
        permission=permission_for("require_reconsent"),
    )
    def require_reconsent(self, reason: str = "") -> None:
        """A materially changed consent document must be signed again."""

    @transition(
        state,
        CaseState.ACTIVE,
        CaseState.COMPLETED,
        conditions=[guard_condition("complete_treatment")],
        permission=permission_for("complete_treatment"),
    )
    def complete_treatment(self, reason: str = "") -> None:
        """The course of treatment is finished."""

    # Leaving or pausing the pathway.
    @transition(
        state,
        list(HOLDABLE_STATES),
        CaseState.ON_HOLD,
        conditions=[guard_condition("hold")],
        permission=permission_for("hold"),
    )
    def hold(self, reason: str = "") -> None:
        self.held_from = self.state

    @transition(
        state,
        CaseState.ON_HOLD,
        RETURN_VALUE(*HOLDABLE_STATES),
        conditions=[guard_condition("resume")],
        permission=permission_for("resume"),
    )
    def resume(self, reason: str = "") -> str:
        origin, self.held_from = self.held_from, ""
        return origin

    @transition(
        state,
        list(NON_FINAL_STATES),
        CaseState.WITHDRAWN,
        conditions=[guard_condition("withdraw")],
        permission=permission_for("withdraw"),
    )
    def withdraw(self, reason: str = "") -> None:
        """The patient withdrew consent or declined."""
        self.held_from = ""

    @transition(
        state,
        list(NON_FINAL_STATES),
        CaseState.INELIGIBLE,
        conditions=[guard_condition("mark_ineligible")],
        permission=permission_for("mark_ineligible"),
    )
    def mark_ineligible(self, reason: str = "") -> None:
        """A physician confirmed an exclusion."""
        self.held_from = ""
