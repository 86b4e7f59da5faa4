"""Treatment's actions in the access table (see `core.access`). The physician's discharge note is
a step of the session page (`session.record`); its service checks `planning.write_physician_note`
itself."""

from __future__ import annotations

from core.access import Action

VIEW_PLAN = "planning.view_plan"
VIEW_SESSION = "planning.view_session"

ACTIONS = (
    Action("plan.view", "The dosing plan page", perm=VIEW_PLAN, audit="plan.view"),
    Action("plan.write", "Write or change the draft dosing plan", perm="planning.write_plan"),
    Action("plan.approve", "Approve (sign) the dosing plan", perm="planning.approve_plan"),
    Action("plan.amend", "Start an amendment of the approved plan", perm="planning.amend_plan"),
    Action("plan.pdf", "Download a sealed dosing plan", perm=VIEW_PLAN, audit="record.view"),
    Action(
        "treatment.complete_early",
        "End treatment before the planned sessions, with a reason",
        perm="planning.end_treatment_early",
    ),
    Action("session.view", "A treatment session's page", perm=VIEW_SESSION, audit="session.view"),
    Action(
        "session.record",
        "Record a session's dosing, vitals, monitoring and sign-off; submit its REMS form",
        perm="planning.record_session",
    ),
    Action(
        "session.rems_pdf",
        "Download a session's REMS monitoring form",
        perm=VIEW_SESSION,
        audit="record.view",
    ),
)
