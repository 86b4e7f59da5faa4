"""How treatment joins the pathway: the plan and completion guards and its case-page panel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway import hooks

if TYPE_CHECKING:
    from django.http import HttpRequest

    from planning.pathway.models import Case


def _panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    from planning.treatment import selectors

    clinical = request.user.has_perm("planning.view_clinical")
    return {"treatment": selectors.treatment_summary(case) if clinical else None}


def wire() -> None:
    from planning.treatment.services import plans, sessions  # noqa: F401  (register guards)

    hooks.register_case_panel(
        hooks.CasePanel(
            key="treatment", template="treatment/_panel.html", order=10, context=_panel_context
        )
    )
