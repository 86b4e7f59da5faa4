"""How treatment joins the pathway: the plan and completion guards, its case-page panel, and
naming a sealed plan on the consent verification page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from consent import hooks as consent_hooks
from planning.pathway import hooks

if TYPE_CHECKING:
    from django.http import HttpRequest

    from planning.pathway.models import Case


def _panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    from core.access import get_action
    from planning.treatment import selectors

    clinical = get_action("plan.view").allows_any(request.user)
    return {"treatment": selectors.treatment_summary(case) if clinical else None}


def describe_plan_pdf(sha256: str) -> consent_hooks.OtherRecord | None:
    """Lets the consent verification page and `verify_pdf` name a sealed dosing plan."""
    from planning.treatment.models import DosingPlan

    plan = DosingPlan.objects.select_related("case__patient").filter(pdf_sha256=sha256).first()
    if plan is None:
        return None
    patient = plan.case.patient
    return consent_hooks.OtherRecord(
        description=(
            f"dosing plan v{plan.version} (#{plan.pk}), case #{plan.case_id}, "
            f"{patient.full_name} ({patient.mrn}), approved by "
            f"{plan.approver_printed_name} on {plan.approved_at:%Y-%m-%d %H:%M %Z}"
        ),
        patient_user_id=patient.user_id,
    )


def wire() -> None:
    from planning.treatment.services import plans, sessions  # noqa: F401  (register guards)

    hooks.register_case_panel(
        hooks.CasePanel(
            key="treatment", template="treatment/_panel.html", order=10, context=_panel_context
        )
    )
    consent_hooks.register_record_describer(describe_plan_pdf)
