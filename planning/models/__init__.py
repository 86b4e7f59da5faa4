"""The care pathway's models: the case and its state machine, and the intake records."""

from planning.models.case import Case
from planning.models.followup import FollowUp, OutboundMessage
from planning.models.intake import (
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
from planning.models.plan import (
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
    "OutboundMessage",
    "QuestionnaireDefinition",
    "QuestionnaireResponse",
    "SafetyAlert",
    "TreatmentSession",
    "VitalSignReading",
]
