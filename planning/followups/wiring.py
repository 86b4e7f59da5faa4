"""How follow-ups join the pathway: a case that reaches a final state cancels its open
follow-ups (in the transition's transaction); the panel on the case page; due items on the board."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway import hooks
from planning.pathway.states import FINAL_STATES

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from core.models import User
    from planning.pathway.models import Case


def _on_transitioned(case: Case, source: str, target: str, actor: User) -> None:
    from planning.followups.services import followups_cancel_open

    if target in FINAL_STATES:
        followups_cancel_open(case=case, why=f"case {target}")


def _panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    from planning.followups import selectors
    from planning.followups.models import FollowUpKind

    return {"followups": selectors.followups_for_case(case), "followup_kinds": FollowUpKind.choices}


def _board_context(request: HttpRequest, cases: QuerySet[Case]) -> dict[str, Any]:
    from planning.followups import selectors

    return {"tasks": selectors.staff_tasks_due(cases)}


def wire() -> None:
    hooks.register_on_transitioned("followups.cancel_on_final", _on_transitioned)
    hooks.register_case_panel(
        hooks.CasePanel(
            key="followups", template="followups/_panel.html", order=30, context=_panel_context
        )
    )
    hooks.register_board_context("followups.due", _board_context)
