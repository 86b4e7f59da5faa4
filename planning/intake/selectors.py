"""Reads for the intake pages and the intake panel on the case page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway.models import Case

if TYPE_CHECKING:
    from django.http import HttpRequest

    from planning.intake.models import (
        Consultation,
        Evaluation,
        Medication,
        MedicationReviewConfirmation,
        SafetyAlert,
    )
    from planning.pathway.snapshot import CaseSnapshot


def consultation_of(snapshot: CaseSnapshot) -> Consultation | None:
    """The latest consultation with its trials and who recorded it (read once per request)."""
    return snapshot.once(
        "intake.consultation",
        lambda case: (
            case.consultations.select_related("recorded_by")
            .order_by("-version")
            .prefetch_related("trials")
            .first()
        ),
    )


def evaluations_of(snapshot: CaseSnapshot) -> list[Evaluation]:
    """Every evaluation version, newest first, with who recorded it (read once per request)."""
    return snapshot.once(
        "intake.evaluations",
        lambda case: list(case.evaluations.select_related("recorded_by").order_by("-version")),
    )


def latest_evaluation_of(snapshot: CaseSnapshot) -> Evaluation | None:
    versions = evaluations_of(snapshot)
    return versions[0] if versions else None


def medications_of(snapshot: CaseSnapshot) -> list[Medication]:
    """Every medication, current and stopped, in the order recorded (read once per request)."""
    return snapshot.once(
        "intake.medications",
        lambda case: list(case.medications.select_related("recorded_by", "stopped_by")),
    )


def alerts_of(snapshot: CaseSnapshot) -> list[SafetyAlert]:
    """Every safety alert of the case, oldest first (read once per request)."""
    return snapshot.once(
        "intake.alerts",
        lambda case: list(
            case.alerts.select_related("acknowledged_by", "response__definition").order_by(
                "raised_at", "pk"
            )
        ),
    )


def open_alerts_of(snapshot: CaseSnapshot) -> list[SafetyAlert]:
    """The alerts without a physician's decision yet, oldest first."""
    return [alert for alert in alerts_of(snapshot) if alert.decided_at is None]


def confirmation_of(snapshot: CaseSnapshot) -> MedicationReviewConfirmation | None:
    """The latest confirmation that the medication list is complete (read once per request)."""
    return snapshot.once(
        "intake.confirmation",
        lambda case: case.medication_confirmations.select_related("confirmed_by").first(),
    )


def intake_summary(snapshot: CaseSnapshot) -> dict[str, object]:
    """Everything the intake panel shows, for clinical roles only (fixed number of queries).
    The contraindication checklist is shown once an evaluation exists, the interaction
    acknowledgements beside their flags: neither is read when it would not be shown."""
    from core.models import ClinicSettings
    from planning.intake import rules as intake_rules

    case = snapshot.case
    consultation = consultation_of(snapshot)
    evaluation = latest_evaluation_of(snapshot)
    medications = medications_of(snapshot)
    current = [m.name for m in medications if m.stopped_at is None]
    flags = intake_rules.interaction_flags(case, names=current)
    acknowledged = case.interaction_acks.select_related("acknowledged_by") if flags else []
    acks = {(a.rule_code, a.generic): a for a in acknowledged}
    overrides = list(case.overrides.select_related("physician")) if evaluation else []
    overridden = {o.contraindication_id for o in overrides}
    return {
        "consultation": consultation,
        "trd": intake_rules.trd_status(consultation, ClinicSettings.current()),
        "evaluation": evaluation,
        "evaluation_versions": evaluations_of(snapshot),
        "responses": (evaluation.responses.select_related("definition") if evaluation else []),
        "findings": (
            intake_rules.contraindication_findings(case, evaluation, overridden=overridden)
            if evaluation
            else []
        ),
        "overrides": {o.contraindication_id: o for o in overrides},
        "medications": medications,
        "confirmation": confirmation_of(snapshot),
        "flags": [(flag, acks.get((flag.rule_code, flag.generic))) for flag in flags],
        "missing": _missing_for_current_step(snapshot),
    }


_STEP_OF_STATE = {
    "consultation": "complete_consultation",
    "evaluation": "complete_evaluation",
    "medication_review": "complete_medication_review",
}


def _missing_for_current_step(snapshot: CaseSnapshot) -> tuple[str, list[str]] | None:
    """What the current intake step still needs, as (step label, items), or None (the same
    run of the guards as the "Next step" panel's)."""
    from planning.pathway import workflow

    step = _STEP_OF_STATE.get(snapshot.case.state)
    if step is None:
        return None
    return (workflow.TRANSITIONS[step].label, snapshot.missing(step))


def open_alerts_context(
    request: HttpRequest, case: Case, alerts: list[SafetyAlert] | None = None
) -> dict[str, object]:
    """Open alerts (no physician decision yet), oldest first, for the header and session page
    (`alerts`: the open alerts already read). Staff without clinical access see that there
    are alerts, not what they say."""
    from django.urls import reverse

    from core.access import request_user
    from core.esign import esignature_requirements
    from planning.intake.models import AlertDecision

    if alerts is None:
        alerts = list(
            case.alerts.filter(decided_at=None)
            .select_related("acknowledged_by", "response__definition")
            .order_by("raised_at", "pk")
        )
    return {
        "open_alerts": alerts,
        "alert_decisions": AlertDecision.choices,
        "alert_details": request.user.has_perm("planning.view_clinical"),
        "alert_next": request.get_full_path() or reverse("pathway:case_detail", args=[case.pk]),
        "alert_esign": esignature_requirements(request=request, user=request_user(request))
        if alerts
        else None,
    }


def scored_responses(case: Case) -> list[Any]:
    """The case's scored questionnaire answers, oldest first (the patient's history)."""
    from planning.intake.models import QuestionnaireResponse

    rows = QuestionnaireResponse.objects.filter(case=case).exclude(total=None)
    return list(rows.select_related("definition").order_by("recorded_at", "pk")[:500])
