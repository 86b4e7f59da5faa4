"""How the FHIR import joins the case page: a read-only panel of what an imported Bundle
brought (clinical staff only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway import hooks

if TYPE_CHECKING:
    from django.http import HttpRequest

    from interop.models import ImportedResource
    from planning.pathway.models import Case
    from planning.pathway.snapshot import CaseSnapshot


def imported_history(
    case: Case, rows: list[ImportedResource] | None = None
) -> list[dict[str, str]]:
    """One line per imported consent, plan, order and questionnaire response (measurements and
    practitioners are counted, not listed); `rows`: the case's resources in order, if read."""
    from interop.models import ImportedResource

    if rows is None:
        rows = list(ImportedResource.objects.filter(case=case).order_by("position"))
    lines: list[dict[str, str]] = []
    for row in rows:
        res = row.resource
        kind = row.resource_type
        if kind == "Consent":
            rule = res.get("policyRule", {}).get("text", "")
            text = f"signed {res.get('dateTime', '?')[:16]}: {rule}"
            if "sourceAttachment" in res:
                text += " (sealed PDF kept, hashes verified at import)"
        elif kind == "CarePlan":
            text = f"{res.get('title', '')}: {res.get('description', '')}"
        elif kind == "MedicationRequest":
            text = "; ".join(d.get("text", "") for d in res.get("dosageInstruction", []))
        elif kind == "QuestionnaireResponse":
            text = f"{res.get('questionnaire', '')} answered {res.get('authored', '?')[:16]}"
        else:
            continue
        lines.append({"kind": kind, "status": str(res.get("status", "")), "text": text})
    return lines


def _panel_context(request: HttpRequest, snapshot: CaseSnapshot) -> dict[str, Any]:
    """Clinical staff only; the case's imported resources read once (none: no panel)."""
    from core.access import get_action
    from interop.models import ImportedResource

    if not get_action("intake.view").allows_any(request.user):
        return {"imported": None}
    case = snapshot.case
    rows = list(ImportedResource.objects.filter(case=case).order_by("position"))
    if not rows:
        return {"imported": None}
    return {
        "imported": {
            "lines": imported_history(case, rows),
            "count": len(rows),
            "at": rows[0].imported_at,
        }
    }


def wire() -> None:
    hooks.register_case_panel(
        hooks.CasePanel(
            key="imported",
            template="interop/_imported_panel.html",
            order=90,
            context=_panel_context,
        )
    )
