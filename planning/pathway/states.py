"""The states of a case. Kept apart from the model so guards and views can name them."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    EVALUATION = "evaluation", _("Evaluation")
    MEDICATION_REVIEW = "medication_review", _("Medication review")
    CONSENT_PENDING = "consent_pending", _("Consent pending")
    PLAN_PENDING = "plan_pending", _("Plan pending")
    ACTIVE = "active", _("Active treatment")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INELIGIBLE = "ineligible", _("Ineligible")
    ON_HOLD = "on_hold", _("On hold")


FINAL_STATES = frozenset({CaseState.COMPLETED, CaseState.WITHDRAWN, CaseState.INELIGIBLE})
PATHWAY_STATES = (
    CaseState.CONSULTATION,
    CaseState.EVALUATION,
    CaseState.MEDICATION_REVIEW,
    CaseState.CONSENT_PENDING,
    CaseState.PLAN_PENDING,
    CaseState.ACTIVE,
)
# States a case can be put on hold from, and so resumed back to.
HOLDABLE_STATES = PATHWAY_STATES
NON_FINAL_STATES = (*PATHWAY_STATES, CaseState.ON_HOLD)
BOARD_ORDER = (*PATHWAY_STATES, CaseState.ON_HOLD, *sorted(FINAL_STATES))


def state_label(value: str) -> str:
    try:
        return str(CaseState(value).label)
    except ValueError:
        return value


# What a state means to the patient, and what happens next, in plain words (their own page).
PATIENT_STATE_TEXT: dict[str, tuple[Promise, Promise]] = {
    CaseState.CONSULTATION: (
        _("You have had, or are about to have, your first consultation with the clinic."),
        _("A clinician reviews your history and, if treatment may suit you, books an evaluation."),
    ),
    CaseState.EVALUATION: (
        _("The clinic is evaluating whether this treatment is right for you."),
        _("You answer a few questionnaires and the clinician checks your health and medicines."),
    ),
    CaseState.MEDICATION_REVIEW: (
        _("A physician is reviewing your current medicines."),
        _("When the review is done, the clinic sends you the consent document to read and sign."),
    ),
    CaseState.CONSENT_PENDING: (
        _("The clinic is waiting for your consent."),
        _("Read the consent document from the link in your message and sign it if you agree."),
    ),
    CaseState.PLAN_PENDING: (
        _("You have given your consent. Your physician is preparing your treatment plan."),
        _("Once the physician approves the plan, the clinic books your first session."),
    ),
    CaseState.ACTIVE: (
        _("You are in treatment."),
        _("Come to each session as planned and answer the short questionnaires we send you."),
    ),
    CaseState.ON_HOLD: (
        _("Your treatment is paused."),
        _("The clinic will contact you before anything continues. Call us with any question."),
    ),
    CaseState.COMPLETED: (
        _("Your treatment course is complete."),
        _("Your records stay available here. Contact the clinic if anything changes."),
    ),
    CaseState.WITHDRAWN: (
        _("You have withdrawn from treatment."),
        _("No further treatment will be given. Your records stay available here."),
    ),
    CaseState.INELIGIBLE: (
        _("The clinic found that this treatment is not suitable for you at this time."),
        _("Your clinician will discuss other options with you."),
    ),
}


def patient_state_text(value: str) -> tuple[str, str]:
    """(where things stand, what happens next) for the patient's page."""
    now, then = PATIENT_STATE_TEXT.get(value, (state_label(value), ""))
    return str(now), str(then)
