"""The timeline wording of core's own audit actions (registered by `CoreConfig.ready`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.timeline import register_many, register_wording, who

if TYPE_CHECKING:
    from core.models import AuditEntry

SECURITY = {
    "auth.login": "{who} signed in{device}",
    "auth.logout": "{who} signed out",
    "auth.login_failed": "A sign-in as {who} failed",
    "auth.login_blocked": "Sign-in as {who} blocked after too many attempts",
    "auth.idle_timeout": "{who} was signed out after being idle",
    "auth.otp_failed": "A wrong one-time code was entered for {who}",
    "auth.2fa_enrolled": "{who} set up a second factor",
    "auth.2fa_removed": "A second factor of {who} was removed",
    "auth.passkey_registered": "{who} registered a passkey",
    "auth.passkey_changed": "{who} changed a passkey",
    "auth.recovery_codes_regenerated": "{who} made new recovery codes",
    "auth.sessions_ended": "{who} ended every open session of an account",
    "account.created": "{who} created a staff account",
    "account.changed": "{who} changed a staff account",
    "account.activated": "{who} activated a staff account",
    "account.deactivated": "{who} deactivated a staff account",
    "account.roles_set": "{who} set the roles of a staff account",
    "account.password_reset": "{who} reset a password",
    "account.lockout_lifted": "{who} lifted a sign-in lockout",
    "account.change_refused": "A change to a staff account by {who} was refused",
    "patient.language.set": "The patient's language was set from {from} to {to} ({via})",
    "esign.verified": "{who} confirmed their identity to sign ({meaning})",
    "esign.failed": "{who} failed to confirm their identity to sign ({meaning})",
    "config.add": "{who} added a configuration entry",
    "config.change": "{who} changed the clinic's configuration",
    "config.delete": "{who} deleted a configuration entry",
    "audit.checkpoint": "The audit trail was checkpointed and signed",
}

ACCESS = {
    "access.denied": "{who} was refused access",
    "patient.view": "{who} viewed the patient's record",
}

LINK_EVENTS = {
    "created": "A {purpose} link was created for the patient",
    "refused": "The {purpose} link was refused ({reason})",
    "dob_ok": "The patient confirmed their date of birth on the {purpose} link{device}",
    "dob_failed": "A wrong date of birth was entered on the {purpose} link",
    "locked": "The {purpose} link locked after too many wrong dates of birth",
}
LINK_KINDS = {"consent": ("consent", "consent signing"), "followup": ("followups", "questionnaire")}


def _revoked(words: str) -> Callable[[AuditEntry], str]:
    """Staff revoke a link; the system closes one when its work is done (a questionnaire
    answered from the patient's page): then the reason says why, not a person."""

    def sentence(entry: AuditEntry) -> str:
        data = entry.data if isinstance(entry.data, dict) else {}
        reason = str(data.get("reason") or "")
        if entry.actor_id is None:
            return f"The {words} link was closed" + (f" ({reason})" if reason else "")
        return f"{who(entry)} revoked the {words} link" + (f": “{reason}”" if reason else "")

    return sentence


def register() -> None:
    register_many("security", SECURITY)
    register_many("access", ACCESS)
    for purpose, (kind, words) in LINK_KINDS.items():
        register_many(
            kind,
            {
                f"{purpose}.link.{event}": text.replace("{purpose}", words)
                for event, text in LINK_EVENTS.items()
            },
        )
        register_wording(f"{purpose}.link.revoked", _revoked(words), kind=kind)
