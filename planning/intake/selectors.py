"""Reads for the intake pages and the intake panel on the case page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway.models import Case

if TYPE_CHECKING:
    from django.http import HttpRequest


def intake_summary(case: Case) -> dict[str, object]:
    """Everything the intake panel shows, for clinical roles only (fixed number of queries)."""
    from core.models import ClinicSettings
    from planning.intake import rules as intake_rules
    from planning.pathway import workflow

    consultation = intake_rules.latest_consultation(case)
    evaluation = intake_rules.latest_evaluation(case)
    flags = intake_rules.interaction_flags(case)
    acks = {
        (a.rule_code, a.generic): a for a in case.interaction_acks.select_related("acknowledged_by")
    }
    return {
        "consultation": consultation,
        "trd": intake_rules.trd_status(consultation, ClinicSettings.current()),
        "evaluation": evaluation,
        "evaluation_versions": case.evaluations.select_related("recorded_by"),
        "responses": (evaluation.responses.select_related("definition") if evaluation else []),
        "alerts": case.alerts.select_related("acknowledged_by", "response__definition"),
        "findings": intake_rules.contraindication_findings(case, evaluation),
        "overrides": {o.contraindication_id: o for o in case.overrides.select_related("physician")},
        "medications": case.medications.select_related("recorded_by", "stopped_by"),
        "confirmation": case.medication_confirmations.select_related("confirmed_by").first(),
        "flags": [(flag, acks.get((flag.rule_code, flag.generic))) for flag in flags],
        "missing": _missing_for_current_step(case, workflow),
    }


_STEP_OF_STATE = {
    "consultation": "complete_consultation",
    "evaluation": "complete_evaluation",
    "medication_review": "complete_medication_review",
}


def _missing_for_current_step(case: Case, workflow: Any) -> tuple[str, list[str]] | None:
    """What the current intake step still needs, as (step label, items), or None."""
    step = _STEP_OF_STATE.get(case.state)
    if step is None:
        return None
    return (workflow.TRANSITIONS[step].label, workflow.missing_for(case, step))


def open_alerts_context(request: HttpRequest, case: Case) -> dict[str, object]:
    """Open alerts (no physician decision yet), oldest first, for the header and session page.
    Staff without clinical access see that there are alerts, not what they say."""
    from django.urls import reverse

    from core.access import request_user
    from core.esign import esignature_requirements
    from planning.intake.models import AlertDecision

    alerts = list(
        case.alerts.filter(decided_at=None)
        .select_related("acknowledged_by", "response__definition")
        .order_by("raised_at")
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
