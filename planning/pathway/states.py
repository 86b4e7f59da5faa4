"""The states of a case. Kept apart from the model so guards and views can name them."""

from __future__ import annotations

from django.db import models


class CaseState(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    EVALUATION = "evaluation", "Evaluation"
    MEDICATION_REVIEW = "medication_review", "Medication review"
    CONSENT_PENDING = "consent_pending", "Consent pending"
    PLAN_PENDING = "plan_pending", "Plan pending"
    ACTIVE = "active", "Active treatment"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    INELIGIBLE = "ineligible", "Ineligible"
    ON_HOLD = "on_hold", "On hold"


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
