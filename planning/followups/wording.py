"""The timeline wording of follow-ups' audit actions (registered by `wiring.wire`)."""

from __future__ import annotations

from core.timeline import register_many

FOLLOWUPS = {
    "followup.generate": "Follow-ups scheduled from the plan ({created} new)",
    "followup.add": "{who} added a follow-up",
    "followup.reschedule": "{who} rescheduled a follow-up",
    "followup.complete": "{who} marked a follow-up done",
    "followup.remind": "A follow-up reminder was sent",
    "followup.questionnaire": "The patient answered a follow-up questionnaire (PHQ-9 {total})",
    "followup.suspend": "Open session follow-ups cancelled: {why}",
    "followup.cancel_all": "Open follow-ups cancelled: {why}",
    "case_summary.sealed": "{who} asked for a sealed case summary",
}


# What a viewer without clinical access (admin staff) reads instead.
FOLLOWUPS_RESTRICTED = {
    "followup.questionnaire": "The patient answered a follow-up questionnaire",
}


def register() -> None:
    register_many("followups", FOLLOWUPS, restricted=FOLLOWUPS_RESTRICTED)
