"""The timeline wording of treatment's audit actions (registered by `wiring.wire`)."""

from __future__ import annotations

from core.timeline import register_many

PLAN = {
    "plan.draft": "{who} saved a draft dosing plan",
    "plan.approve": "Plan version {version} approved by {who} ({meaning})",
    "plan.approve_refused": "{who} entered a wrong password approving the plan",
    "plan.amend": "{who} started amending plan version {from_version}: “{reason}”",
    "plan.renew": "{who} started renewing plan version {from_version}",
}

SESSIONS = {
    "session.predose": "Session {number}: {who} recorded the pre-dose checks (BP {bp})",
    "session.bp_clearance": "Session {number}: {who} cleared dosing at BP {bp}",
    "session.bp_clearance_refused": "Session {number}: {who} entered a wrong password",
    "session.deviation": "Session {number}: {who} approved a dose of {dose_mg} mg off the plan",
    "session.deviation_refused": "Session {number}: {who} entered a wrong password",
    "session.dosing": "Session {number}: {who} recorded the dose given ({dose_mg} mg)",
    "session.vitals": "Session {number}: {who} recorded vitals at minute {minute}",
    "session.monitoring": "Session {number}: {who} recorded sedation and dissociation scores",
    "session.physician_note": "Session {number}: {who} wrote a physician's note",
    "session.sign_off": "Session {number} signed off by {who}",
    "session.rems_submitted": "Session {number}: {who} marked the REMS form as submitted",
    "session.suspend_all": "Scheduled sessions suspended: {why}",
    "session.resume_all": "Suspended sessions scheduled again",
}


# What a viewer without clinical access (admin staff) reads instead: that it happened, by whom.
PLAN_RESTRICTED = {
    "plan.amend": "{who} started amending plan version {from_version}",
}
SESSIONS_RESTRICTED = {
    "session.predose": "Session {number}: {who} recorded the pre-dose checks",
    "session.bp_clearance": "Session {number}: {who} cleared dosing",
    "session.deviation": "Session {number}: {who} approved a dose off the plan",
    "session.dosing": "Session {number}: {who} recorded the dose given",
}


def register() -> None:
    register_many("plan", PLAN, restricted=PLAN_RESTRICTED)
    register_many("sessions", SESSIONS, restricted=SESSIONS_RESTRICTED)
    register_many(
        "access",
        {
            "plan.view": "{who} read the dosing plan",
            "session.view": "{who} opened a session page",
        },
    )
