"""Intake's actions in the access table (see `core.access`)."""

from __future__ import annotations

from core.access import Action

ACTIONS = (
    Action(
        "intake.view",
        "Read the consultation, evaluation and medication pages",
        perm="planning.view_clinical",
        audit="intake.view",
    ),
    Action(
        "intake.record",
        "Record or correct a consultation, evaluation or the medication list",
        perm="planning.record_intake",
    ),
    Action(
        "alert.acknowledge",
        "Acknowledge a safety alert with a note",
        perm="planning.acknowledge_alert",
    ),
    Action(
        "alert.decide",
        "Decide on a safety alert (continue, hold, refer) before the next dose",
        perm="planning.decide_alert",
    ),
    Action(
        "contraindication.override",
        "Override a relative contraindication with a written reason",
        perm="planning.override_contraindication",
    ),
)
