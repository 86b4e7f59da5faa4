"""The timeline wording of the pathway's audit actions, and the intake, treatment and
follow-up actions' wording (each sub-domain's own table, registered from its wiring)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.timeline import register_many, register_wording, who
from planning.pathway.states import state_label

if TYPE_CHECKING:
    from core.models import AuditEntry


def _transition(entry: AuditEntry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    source, target = str(data.get("from", "")), str(data.get("to", ""))
    text = f"{who(entry)} moved the case from {state_label(source)} to {state_label(target)}"
    reason = str(data.get("reason") or "")
    return f"{text}: “{reason}”" if reason else text


def register() -> None:
    register_wording("case.transition", _transition, kind="case")
    register_many(
        "case",
        {
            "case.open": "{who} opened the case",
            "patient.create": "{who} registered the patient",
        },
    )
    register_many(
        "access",
        {
            "case.view": "{who} opened the case page",
            "case.read": "{who} read the case through the API",
        },
    )
