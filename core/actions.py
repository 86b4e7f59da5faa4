"""Core's routes in the access table: signing in and out, the health check, the start page."""

from __future__ import annotations

from core.access import Action

ACTIONS = (
    Action("account.sign_in", "The sign-in page", public=True),
    Action("account.sign_out", "Signing out", public=True),
    Action("system.health", "The health check for the load balancer", public=True),
    Action("home", "Send a signed-in person to their role's start page", signed_in=True),
    Action(
        "account.security",
        "One's own second factors, recovery codes and sessions",
        signed_in=True,
    ),
    Action(
        "patient.language",
        "A signed-in patient chooses the language of their pages and messages",
        signed_in=True,
    ),
    Action(
        "outbox.view",
        "Messages that failed or still wait, for staff to follow up",
        perm="core.view_outboundmessage",
    ),
    Action(
        "outbox.demo_mailbox",
        "The demo's sent messages with their links (only where the demo mailbox is on)",
        perm="core.view_outboundmessage",
    ),
)
