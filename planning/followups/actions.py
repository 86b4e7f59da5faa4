"""Follow-ups' actions in the access table (see `core.access`)."""

from __future__ import annotations

from core.access import Action

ACTIONS = (
    Action(
        "followup.link",
        "The patient's questionnaire link (the token and date of birth are the credential)",
        public=True,
    ),
    Action(
        "followup.manage",
        "Add, reschedule and complete a case's follow-ups",
        perm="planning.manage_followups",
    ),
    Action(
        "case.summary_seal",
        "Seal the printable case summary (a new version only when the case changed)",
        perm="planning.view_clinical",
    ),
    Action(
        "case.summary_pdf",
        "Download the sealed case summary",
        perm="planning.view_clinical",
        audit="record.view",
    ),
    Action(
        "followup.answer",
        "Answer one's own open questionnaire while signed in (the patient's page)",
        own_perm="planning.view_own_case",
    ),
)
