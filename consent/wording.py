"""The timeline wording of consent's audit actions: the case page and the audit page of the
sealed consent PDF read the same sentences. Registered by `ConsentConfig.ready`."""

from __future__ import annotations

from core.timeline import register_many, register_wording

CONSENT = {
    "consent.request.create": "{who} sent the consent invitation to {sent_to}",
    "consent.request.revoke": "{who} revoked the consent invitation",
    "consent.disclosure.agree": "The patient agreed to sign electronically{device}",
    "consent.document.read": "The patient read consent {version}{device}",
    "consent.comprehension.pass": "The patient answered the comprehension questions{device}",
    "consent.comprehension.retry": "The patient got a comprehension question wrong and retried",
    "consent.review.shown": "The patient was shown the final review page{device}",
    "consent.sign.refused": "Signing was refused: {message}",
    "consent.signed": "Consent {version} signed by the patient{device} (typed name “{typed_name}”)",
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
