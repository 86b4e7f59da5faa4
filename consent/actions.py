"""Consent's actions in the access table (see `core.access`)."""

from __future__ import annotations

from core.access import Action

MANAGE = "consent.manage_requests"

ACTIONS = (
    Action(
        "consent.link",
        "The signing link's pages (the token and date of birth are the credential)",
        public=True,
    ),
    Action("consent.invite", "Send a consent invitation for a case", perm=MANAGE),
    Action(
        "consent.tablet_start",
        "Start in-clinic signing on a clinic tablet (this device) for a case",
        perm="consent.start_tablet_signing",
    ),
    Action(
        "consent.tablet",
        "Tablet mode's own pages: hand-over, hand-back, the staff's exit (the browser session "
        "bound to the tablet session is the credential; outside tablet mode they answer 404)",
        public=True,
    ),
    Action("consent.revoke", "Revoke a consent invitation", perm=MANAGE),
    Action("consent.paper_copy", "Mark a paper copy as sent", perm=MANAGE),
    Action(
        "consent.pdf",
        "Download a signed consent PDF",
        perm="consent.view_signature_pdf",
        own_perm="consent.view_own_signature_pdf",
        audit="consent.pdf.download",
    ),
    Action(
        "consent.verify",
        "Check a sealed PDF: intact, sealed here, and (if theirs to see) whose record",
        perm="consent.verify_pdf",
        own_perm="consent.verify_own_pdf",
    ),
    Action(
        "consent.countersign_clinician",
        "Countersign a signed consent as the clinician (e-signature), in the clinic",
        perm="consent.countersign_clinician",
    ),
    Action(
        "consent.countersign_witness",
        "Capture a witness's countersignature of a signed consent, in the clinic",
        perm="consent.capture_witness",
    ),
    Action(
        "consent.withdraw",
        "Withdraw consent for one's own case",
        own_perm="consent.withdraw_own_consent",
    ),
)
