"""The timeline wording of intake's audit actions (registered by `wiring.wire`)."""

from __future__ import annotations

from core.timeline import register_many

INTAKE = {
    "intake.consultation": "Consultation (version {version}) recorded by {who}",
    "intake.evaluation": "Evaluation (version {version}) recorded by {who}",
    "medication.add": "{who} added the medication {name}",
    "medication.stop": "{who} recorded that {name} was stopped",
    "medication.confirm_list": "{who} confirmed the medication list is complete ({count} current)",
    "interaction.acknowledge": "{who} acknowledged the interaction with {medication}: “{note}”",
    "contraindication.override": "{who} overrode a contraindication ({code}): “{reason}”",
    "alert.raise": "Safety alert raised: {message}",
    "alert.acknowledge": "{who} acknowledged a safety alert: “{note}”",
    "alert.decide": "{who} decided on a safety alert ({decision}): “{reason}”",
    "alert.decide_refused": "{who} entered a wrong password deciding on a safety alert",
}


# What a viewer without clinical access (admin staff) reads instead: that it happened, by whom.
INTAKE_RESTRICTED = {
    "medication.add": "{who} updated the medication list",
    "medication.stop": "{who} updated the medication list",
    "medication.confirm_list": "{who} confirmed the medication list is complete",
    "interaction.acknowledge": "{who} acknowledged a medication interaction",
    "contraindication.override": "{who} overrode a contraindication (details for clinical staff)",
    "alert.raise": "A safety alert was raised (details for clinical staff)",
    "alert.acknowledge": "{who} acknowledged a safety alert",
    "alert.decide": "{who} decided on a safety alert",
}


def register() -> None:
    register_many("intake", INTAKE, restricted=INTAKE_RESTRICTED)
    register_many("access", {"intake.view": "{who} read the intake records"})
