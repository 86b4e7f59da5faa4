"""How treatment joins the pathway: the plan and completion guards and its case-page panel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway import hooks
from planning.pathway.states import FINAL_STATES, CaseState

if TYPE_CHECKING:
    from django.http import HttpRequest

    from core.models import User
    from planning.pathway.models import Case
    from planning.pathway.snapshot import CaseSnapshot


def _panel_context(request: HttpRequest, snapshot: CaseSnapshot) -> dict[str, Any]:
    from core.access import get_action
    from planning.treatment import selectors

    clinical = get_action("plan.view").allows_any(request.user)
    return {"treatment": selectors.treatment_summary(snapshot) if clinical else None}


def _patient_panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    from core.models import ClinicSettings
    from planning.treatment import selectors

    return {"session": selectors.next_session(case), "clinic": ClinicSettings.current()}


def _on_transitioned(case: Case, source: str, target: str, actor: User) -> None:
    """Leaving active treatment suspends (or, for a final state, cancels) every scheduled
    session and its follow-ups; resuming restores what is still due."""
    from planning.treatment.services import sessions

    if source == CaseState.ACTIVE and target != CaseState.ACTIVE:
        why = f"case left active treatment ({source} -> {target})"
        sessions.sessions_suspend(case=case, cancel=target in FINAL_STATES, why=why)
    elif target == CaseState.ACTIVE and source == CaseState.ON_HOLD:
        sessions.sessions_resume(case=case)


def wire() -> None:
    from planning.treatment import next_steps, wording
    from planning.treatment.services import plans, sessions  # noqa: F401  (register guards)

    next_steps.register()
    wording.register()

    hooks.register_on_transitioned("treatment.sessions", _on_transitioned)

    hooks.register_case_panel(
        hooks.CasePanel(
            key="treatment", template="treatment/_panel.html", order=10, context=_panel_context
        )
    )
    hooks.register_patient_panel(
        hooks.PatientPanel(
            key="treatment.next_session",
            template="treatment/_patient_next_session.html",
            order=10,
            context=_patient_panel_context,
        )
    )
