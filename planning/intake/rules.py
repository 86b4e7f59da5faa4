"""What intake has found and what is still missing, read from the latest records.

The guard functions are registered on the pathway's transitions: each returns the list of what
is missing, in words a clinician can act on, so a refused step says exactly what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from core.models import ClinicSettings
from planning.intake import interactions
from planning.intake.models import (
    Consultation,
    ContraindicationKind,
    ContraindicationType,
    DerivedFrom,
    Evaluation,
    InteractionClass,
    InteractionRule,
    PregnancyStatus,
    QuestionnaireDefinition,
)
from planning.pathway.workflow import register_guard

if TYPE_CHECKING:
    from planning.pathway.models import Case


@dataclass(frozen=True)
class TrdStatus:
    adequate_trials: int
    needed: int
    min_weeks: int

    @property
    def met(self) -> bool:
        return self.adequate_trials >= self.needed


@dataclass(frozen=True)
class Finding:
    """One checklist item for one case: present or not, and whether it is resolved."""

    type: ContraindicationType
    present: bool | None  # None: not answered yet
    derived: bool
    overridden: bool

    @property
    def absolute(self) -> bool:
        return self.type.kind == ContraindicationKind.ABSOLUTE

    @property
    def blocking(self) -> bool:
        return bool(self.present) and (self.absolute or not self.overridden)


def latest_consultation(case: Case) -> Consultation | None:
    return case.consultations.order_by("-version").prefetch_related("trials").first()


def latest_evaluation(case: Case) -> Evaluation | None:
    return case.evaluations.order_by("-version").first()


def trd_status(consultation: Consultation | None, clinic: ClinicSettings) -> TrdStatus:
    trials = list(consultation.trials.all()) if consultation else []
    adequate = sum(1 for t in trials if t.is_adequate(clinic.adequate_trial_min_weeks))
    return TrdStatus(adequate, clinic.adequate_trials_for_trd, clinic.adequate_trial_min_weeks)


def derived_presence(kind: str, evaluation: Evaluation, case: Case, clinic: ClinicSettings) -> bool:
    if kind == DerivedFrom.AGE:
        return case.patient.age_on(evaluation.recorded_at.date()) < clinic.minimum_age
    if kind == DerivedFrom.BLOOD_PRESSURE:
        return (
            evaluation.systolic_bp > clinic.bp_systolic_max
            or evaluation.diastolic_bp > clinic.bp_diastolic_max
        )
    if kind == DerivedFrom.PREGNANCY:
        return evaluation.pregnancy_status in {
            PregnancyStatus.PREGNANT,
            PregnancyStatus.BREASTFEEDING,
        }
    raise ValueError(f"unknown derivation {kind!r}")


def pregnancy_applies(case: Case) -> bool:
    """Pregnancy status is asked (no "not applicable", no default) of female and intersex
    patients within the clinic's child-bearing age range."""
    from core.models import SexAtBirth

    clinic = ClinicSettings.current()
    if case.patient.sex_at_birth not in (SexAtBirth.FEMALE, SexAtBirth.INTERSEX):
        return False
    age = case.patient.age_on(timezone.localdate())
    return clinic.childbearing_age_min <= age <= clinic.childbearing_age_max


def contraindication_findings(
    case: Case, evaluation: Evaluation | None = None, *, overridden: set[int] | None = None
) -> list[Finding]:
    """`overridden`: the overridden contraindication ids, when already read."""
    evaluation = evaluation or latest_evaluation(case)
    clinic = ClinicSettings.current()
    if overridden is None:
        overridden = set(case.overrides.values_list("contraindication_id", flat=True))
    findings = []
    for ci in ContraindicationType.objects.filter(active=True):
        present: bool | None = None
        if evaluation is not None and ci.derived_from:
            present = derived_presence(ci.derived_from, evaluation, case, clinic)
        elif evaluation is not None and ci.code in evaluation.screening:
            present = bool(evaluation.screening[ci.code])
        findings.append(Finding(ci, present, bool(ci.derived_from), ci.pk in overridden))
    return findings


def interaction_flags(
    case: Case, *, names: list[str] | None = None
) -> list[interactions.InteractionFlag]:
    """Flags for the current (not stopped) medications, from the clinic's active rules
    (`names`: the current medications' names in the order recorded, when already read)."""
    if names is None:
        names = list(case.medications.filter(stopped_at=None).values_list("name", flat=True))
    if not names:
        return []
    classes = [c.as_data() for c in InteractionClass.objects.all()]
    rules = [r.as_data() for r in InteractionRule.objects.filter(active=True)]
    return interactions.match_interactions(names, classes=classes, rules=rules)


def unacknowledged_flags(
    case: Case, *, names: list[str] | None = None
) -> list[interactions.InteractionFlag]:
    """`names`: as for `interaction_flags`."""
    flags = interaction_flags(case, names=names)
    if not flags:
        return []
    acked = set(case.interaction_acks.values_list("rule_code", "generic"))
    return [f for f in flags if (f.rule_code, f.generic) not in acked]


# Guards -----------------------------------------------------------------------------------


def consultation_missing(case: Case) -> list[str]:
    if latest_consultation(case) is None:
        return ["a recorded consultation (symptoms, duration, prior treatments)"]
    return []


def evaluation_missing(case: Case) -> list[str]:
    evaluation = latest_evaluation(case)
    if evaluation is None:
        return ["a recorded evaluation (vitals, questionnaires, screening)"]
    missing = _missing_questionnaires(evaluation)
    open_alerts = case.alerts.filter(acknowledged_at=None).count()
    if open_alerts:
        missing.append(f"acknowledgement of {open_alerts} open safety alert(s)")
    for finding in contraindication_findings(case, evaluation):
        missing.extend(_finding_problem(finding))
    return missing


def _missing_questionnaires(evaluation: Evaluation) -> list[str]:
    done = set(evaluation.responses.values_list("definition__code", flat=True))
    required = QuestionnaireDefinition.objects.filter(active=True, required_at_evaluation=True)
    return [f"a {d.title} with this evaluation" for d in required if d.code not in done]


def _finding_problem(finding: Finding) -> list[str]:
    label = finding.type.label
    if finding.present is None:
        return [f"an answer on the checklist for “{label}”"]
    if finding.present and finding.absolute:
        return [
            f"“{label}” is an absolute contraindication: a physician must mark the case ineligible"
        ]
    if finding.present and not finding.overridden:
        return [f"a physician's override with a reason for “{label}”"]
    return []


def medication_review_missing(case: Case) -> list[str]:
    missing = []
    # One read of the list (in the order recorded) for both the latest change and the flags.
    medications = list(case.medications.values_list("name", "recorded_at", "stopped_at"))
    latest_change = _latest_medication_change(medications)
    confirmation = case.medication_confirmations.order_by("-confirmed_at").first()
    if confirmation is None or (latest_change and confirmation.confirmed_at < latest_change):
        missing.append("confirmation that the medication and supplement list is complete")
    current = [name for name, _recorded, stopped in medications if stopped is None]
    for flag in unacknowledged_flags(case, names=current):
        missing.append(f"acknowledgement of the interaction “{flag.note}” ({flag.medication})")
    return missing


def _latest_medication_change(
    medications: list[tuple[str, datetime, datetime | None]],
) -> datetime | None:
    """The latest time a medication was added or stopped (rows: name, recorded, stopped)."""
    times = [recorded for _name, recorded, _stopped in medications]
    times += [stopped for _name, _recorded, stopped in medications if stopped is not None]
    return max(times) if times else None


register_guard("complete_consultation", consultation_missing)
register_guard("complete_evaluation", evaluation_missing)
register_guard("complete_medication_review", medication_review_missing)
