"""The care pathway's models: the case and its state machine, and the intake records."""

from planning.followups.models import FollowUp
from planning.intake.models import (
    AntidepressantTrial,
    Consultation,
    ContraindicationOverride,
    ContraindicationType,
    Evaluation,
    InteractionAcknowledgement,
    InteractionClass,
    InteractionRule,
    Medication,
    MedicationReviewConfirmation,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    SafetyAlert,
)
from planning.pathway.models import Case
from planning.treatment.models import (
    ClinicProtocol,
    DosingPlan,
    EarlyCompletion,
    TreatmentSession,
    VitalSignReading,
)

__all__ = [
    "AntidepressantTrial",
    "Case",
    "ClinicProtocol",
    "Consultation",
    "ContraindicationOverride",
    "ContraindicationType",
    "DosingPlan",
    "EarlyCompletion",
    "Evaluation",
    "FollowUp",
    "InteractionAcknowledgement",
    "InteractionClass",
    "InteractionRule",
    "Medication",
    "MedicationReviewConfirmation",
    "QuestionnaireDefinition",
    "QuestionnaireResponse",
    "SafetyAlert",
    "TreatmentSession",
    "VitalSignReading",
]
