"""How intake joins the pathway: its step guards and its panel on the case page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway import hooks

if TYPE_CHECKING:
    from django.http import HttpRequest

    from planning.pathway.models import Case
    from planning.pathway.snapshot import CaseSnapshot


def _panel_context(request: HttpRequest, snapshot: CaseSnapshot) -> dict[str, Any]:
    from core.access import get_action
    from planning.intake import selectors

    clinical = get_action("intake.view").allows_any(request.user)
    return {"intake": selectors.intake_summary(snapshot) if clinical else None}


def _alerts_context(request: HttpRequest, snapshot: CaseSnapshot) -> dict[str, Any]:
    from planning.intake import selectors

    alerts = selectors.open_alerts_of(snapshot)
    return selectors.open_alerts_context(request, snapshot.case, alerts)


def _patient_history_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    from planning.intake import selectors

    return {"responses": selectors.scored_responses(case), "case": case}


def wire() -> None:
    from planning.intake import (
        next_steps,
        rules,  # noqa: F401  (registers the intake steps' guards)
        wording,
    )

    next_steps.register()
    wording.register()

    hooks.register_case_panel(
        hooks.CasePanel(
            key="intake", template="intake/_panel.html", order=40, context=_panel_context
        )
    )
    hooks.register_case_panel(
        hooks.CasePanel(
            key="alerts",
            template="intake/_alerts.html",
            order=0,
            context=_alerts_context,
            header=True,
        )
    )
    hooks.register_patient_panel(
        hooks.PatientPanel(
            key="intake.history",
            template="intake/_patient_history.html",
            order=30,
            context=_patient_history_context,
        )
    )
