"""The seams through which intake, treatment and follow-ups join the pathway without the pathway
importing them. Each sub-domain registers here from `PlanningConfig.ready` (its `wiring.wire`).

- transition handlers run inside the transition's transaction, under the case's row lock, after
  the new state is saved: if one raises, the transition rolls back with it;
- panels add their part of the case page (and the board) for the users allowed to see it,
  reading through the request's `CaseSnapshot` so that a row two panels need is read once;
- patient panels add their part of the patient's own page, per case (the next session, open
  questionnaires, their answers so far).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from core.models import User
    from planning.pathway.models import Case
    from planning.pathway.snapshot import CaseSnapshot

TransitionHandler = Callable[["Case", str, str, "User"], None]
CaseContext = Callable[["HttpRequest", "CaseSnapshot"], dict[str, Any]]
PatientContext = Callable[["HttpRequest", "Case"], dict[str, Any]]
BoardContext = Callable[["HttpRequest", "QuerySet[Case]"], dict[str, Any]]


@dataclass(frozen=True)
class CasePanel:
    """One card on the case page: `template` is rendered with the page's context plus what
    `context(request, snapshot)` returns; `order` places it (lower first)."""

    key: str
    template: str
    order: int
    context: CaseContext
    header: bool = False  # shown under the case's title (e.g. open safety alerts)


@dataclass(frozen=True)
class PatientPanel:
    """One part of the patient's own page for one of their cases: `template` sees what
    `context(request, case)` returns under `panel`; `order` places it (lower first)."""

    key: str
    template: str
    order: int
    context: PatientContext


_on_transitioned: dict[str, TransitionHandler] = {}
_case_panels: dict[str, CasePanel] = {}
_board_context: dict[str, BoardContext] = {}
_patient_panels: dict[str, PatientPanel] = {}


def register_on_transitioned(key: str, handler: TransitionHandler) -> None:
    """`handler(case, from_state, to_state, actor)`; registering a key again replaces it."""
    _on_transitioned[key] = handler


def register_case_panel(panel: CasePanel) -> None:
    _case_panels[panel.key] = panel


def register_patient_panel(panel: PatientPanel) -> None:
    """A part of the patient's own page for one of their cases (the case is theirs: the page
    reached it through the access layer)."""
    _patient_panels[panel.key] = panel


def register_board_context(key: str, context: BoardContext) -> None:
    _board_context[key] = context


def transitioned(case: Case, source: str, target: str, actor: User) -> None:
    for handler in _on_transitioned.values():
        handler(case, source, target, actor)


def case_panels(request: HttpRequest, snapshot: CaseSnapshot) -> tuple[list[str], dict[str, Any]]:
    """The panel templates in page order, and the context they need (header panels are in
    `context["header_panels"]`)."""
    templates: list[str] = []
    context: dict[str, Any] = {"header_panels": []}
    for panel in sorted(_case_panels.values(), key=lambda p: p.order):
        (context["header_panels"] if panel.header else templates).append(panel.template)
        context.update(panel.context(request, snapshot))
    return templates, context


def board_context(request: HttpRequest, cases: QuerySet[Case]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provide in _board_context.values():
        context.update(provide(request, cases))
    return context


def patient_panels(request: HttpRequest, case: Case) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of each patient panel in page order; each panel's template sees its
    own context under `panel`."""
    return [
        (panel.template, panel.context(request, case))
        for panel in sorted(_patient_panels.values(), key=lambda p: p.order)
    ]
