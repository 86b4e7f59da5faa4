"""The timeline wording of consent's audit actions: the case page and the audit page of the
sealed consent PDF read the same sentences. Registered by `ConsentConfig.ready`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.timeline import device, register_many, register_wording

if TYPE_CHECKING:
    from core.models import AuditEntry

AUTHORITIES = {
    "healthcare_poa": "healthcare power of attorney",
    "guardian": "court-appointed guardian",
    "proxy": "health-care proxy or agent",
    "parent": "parent or legal guardian of a minor",
    "other": "other legal authority",
}


def signed(entry: AuditEntry) -> str:
    """By the patient, or on their behalf by a legally authorised representative."""
    data = entry.data if isinstance(entry.data, dict) else {}
    version, typed = data.get("version", "?"), data.get("typed_name", "?")
    if data.get("representative"):
        authority = AUTHORITIES.get(data.get("authority", ""), data.get("authority", "?"))
        if data.get("authority_detail"):
            authority = f"{authority}: {data['authority_detail']}"
        return (
            f"Consent {version} signed on the patient's behalf by {data['representative']}, "
            f"{data.get('relationship', '?')}, as legally authorised representative "
            f"({authority}){device(entry)} (typed name “{typed}”)"
        )
    return f"Consent {version} signed by the patient{device(entry)} (typed name “{typed}”)"


CONSENT: dict[str, str | Callable[[AuditEntry], str]] = {
    "consent.request.create": "{who} sent the consent invitation to {sent_to}",
    "consent.request.revoke": "{who} revoked the consent invitation",
    "consent.disclosure.agree": "The patient agreed to sign electronically{device}",
    "consent.document.read": "The patient read consent {version}{device}",
    "consent.comprehension.pass": "The patient answered the comprehension questions{device}",
    "consent.comprehension.retry": "The patient got a comprehension question wrong and retried",
    "consent.review.shown": "The patient was shown the final review page{device}",
    "consent.sign.refused": "Signing was refused: {message}",
    "consent.signed": signed,
    "consent.countersigned.clinician": "{who} countersigned the consent as the clinician "
    "(e-signature)",
    "consent.countersigned.witness": "{who} captured the countersignature of the witness "
    "“{witness_name}”{device}",
    "consent.countersign.refused": "{who} could not countersign the consent: {message}",
    "consent.declined": "The patient declined to sign{device}",
    "consent.withdrawn": "{who} recorded the withdrawal of consent",
    "consent.paper_copy.request": "The patient asked for a paper copy",
    "consent.paper_copy.done": "{who} sent the paper copy",
    "consent.version.publish": "{who} published consent document version {label}",
    "consent.pdf.verify": "{who} checked a consent PDF",
    "consent.tablet.start": "{who} started signing in the clinic on a clinic tablet",
    "consent.tablet.signed": ("Signed in the clinic on a clinic tablet, started by {started_by}"),
    "consent.tablet.refused": "A page outside the signing pages was refused in tablet mode",
    "consent.tablet.exit_refused": "{who} could not leave tablet mode ({reason})",
    "consent.tablet.end": "{who} left tablet mode ({reason})",
}


def register() -> None:
    register_many("consent", CONSENT)
    register_wording("consent.pdf.download", "{who} downloaded a consent PDF", kind="access")
    register_wording(
        "consent.link.refused", "A consent link was refused ({reason})", kind="consent"
    )
