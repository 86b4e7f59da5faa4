"""The timeline wording of the pathway's audit actions, and the intake, treatment and
follow-up actions' wording (each sub-domain's own table, registered from its wiring)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.timeline import register_many, register_wording, who
from planning.pathway.states import state_label

if TYPE_CHECKING:
    from core.models import AuditEntry


def reason_is_clinical(entry: AuditEntry) -> bool:
    """A step's reason written by someone who reads clinical detail may carry it (an alert
    decision's hold, an amendment, an exclusion): `case_transition` records that as
    `reason_clinical`. Entries from before the flag: a person's reason counts as clinical."""
    data = entry.data if isinstance(entry.data, dict) else {}
    flag = data.get("reason_clinical")
    return flag if isinstance(flag, bool) else entry.actor_id is not None


def transition_reason(entry: AuditEntry, *, clinical: bool) -> str:
    """The step's reason, or "" where the viewer may not read it."""
    data = entry.data if isinstance(entry.data, dict) else {}
    reason = str(data.get("reason") or "")
    return reason if clinical or not reason_is_clinical(entry) else ""


def _transition(entry: AuditEntry, *, clinical: bool = True) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    source, target = str(data.get("from", "")), str(data.get("to", ""))
    text = f"{who(entry)} moved the case from {state_label(source)} to {state_label(target)}"
    reason = transition_reason(entry, clinical=clinical)
    return f"{text}: “{reason}”" if reason else text


def register() -> None:
    register_wording(
        "case.transition",
        _transition,
        kind="case",
        restricted=lambda entry: _transition(entry, clinical=False),
    )
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
