"""Signing by a legally authorised representative (LAR) on the patient's behalf.

The signer says who signs: the patient, or a representative who gives their full name, their
relationship to the patient and the authority under which they consent (a choice, with an
optional detail or reference; "other" needs the detail). The service checks these
(`signer_check`) with the rest of the signing form, before anything is written; the facts are
then stored on the signature record as entered, the statement the signer ticked names them, and
the sealed PDF prints them. The link's date-of-birth check stays the PATIENT's: a representative
needs the patient's date of birth to open the link, like the patient.

Whether a document may be signed by a representative is a setting of the document
(`ConsentDocument.allow_representative`, allowed by default).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext, gettext_lazy, override
from django.utils.translation import gettext as _

from consent.models import ConsentDocument, ConsentSignature, ConsentVersion, SignerRole
from consent.text import names_match
from core.models import Patient
from core.validators import NAME_MAX, SHORT_TEXT_MAX

REPRESENTATIVE_MEANING = gettext_lazy(
    "Informed consent to treatment, signed for the patient by their legally authorised "
    "representative"
)


class Authority(models.TextChoices):
    """The legal authority under which a representative consents for the patient."""

    HEALTHCARE_POA = "healthcare_poa", gettext_lazy("Healthcare power of attorney")
    GUARDIAN = "guardian", gettext_lazy("Court-appointed guardian")
    PROXY = "proxy", gettext_lazy("Health-care proxy or agent")
    PARENT = "parent", gettext_lazy("Parent or legal guardian of a minor")
    OTHER = "other", gettext_lazy("Other legal authority (describe it below)")


@dataclass(frozen=True)
class SignerInput:
    """What the signing form says about who signs (raw, unchecked)."""

    role: str = SignerRole.PATIENT
    name: str = ""
    relationship: str = ""
    authority: str = ""
    authority_detail: str = ""


@dataclass(frozen=True)
class Signer:
    """A checked signer: the patient, or a representative with every fact present."""

    role: str
    name: str = ""
    relationship: str = ""
    authority: str = ""
    authority_detail: str = ""

    @property
    def is_representative(self) -> bool:
        return self.role == SignerRole.REPRESENTATIVE


PATIENT_SIGNER = Signer(role=SignerRole.PATIENT)


def _clean(value: str) -> str:
    return " ".join(value.split())


def _bounded(errors: dict[str, str], field: str, value: str, limit: int, blank: str) -> None:
    if not value:
        errors[field] = blank
    elif len(value) > limit:
        errors[field] = _("At most %(limit)d characters, please.") % {"limit": limit}
    elif "\x00" in value:
        errors[field] = _("Please remove the unusual characters.")


def signer_check(document: ConsentDocument, patient: Patient, given: SignerInput) -> Signer:
    """The checked signer; else `SignerErrors` with every problem at once (per field), so the
    form shows them all together with the signature's own problems."""
    if given.role in ("", SignerRole.PATIENT):
        return PATIENT_SIGNER
    if given.role != SignerRole.REPRESENTATIVE:
        raise SignerErrors({"signer_role": _("Please choose who is signing.")})
    if not document.allow_representative:
        raise SignerErrors(
            {
                "signer_role": _(
                    "This document must be signed by the patient. Please contact the clinic."
                )
            }
        )
    name, relationship = _clean(given.name), _clean(given.relationship)
    detail = _clean(given.authority_detail)
    errors: dict[str, str] = {}
    _bounded(
        errors,
        "representative_name",
        name,
        NAME_MAX,
        _("Please type the representative's full name."),
    )
    if "representative_name" not in errors and names_match(name, patient.full_name):
        errors["representative_name"] = _(
            "This is the patient's name. If you are the patient, choose “I am the patient”."
        )
    _bounded(
        errors,
        "representative_relationship",
        relationship,
        NAME_MAX,
        _("Please say how you are related to the patient (for example: daughter, spouse)."),
    )
    if given.authority not in Authority.values:
        errors["representative_authority"] = _(
            "Please choose the authority under which you sign for the patient."
        )
    if detail or given.authority == Authority.OTHER:
        _bounded(
            errors,
            "representative_authority_detail",
            detail,
            SHORT_TEXT_MAX,
            _("Please describe the legal authority under which you sign."),
        )
    if errors:
        raise SignerErrors(errors)
    return Signer(
        role=SignerRole.REPRESENTATIVE,
        name=name,
        relationship=relationship,
        authority=given.authority,
        authority_detail=detail,
    )


class SignerErrors(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def authority_label(authority: str, detail: str = "", language: str | None = None) -> str:
    """The authority in words (in `language` when given), with its detail if any."""
    with override(language) if language else nullcontext():
        label = str(Authority(authority).label) if authority in Authority.values else authority
        if authority == Authority.OTHER:
            label = gettext("Other legal authority")
    return f"{label}: {detail}" if detail else label


def representative_intent(signer: Signer, patient: Patient, version: ConsentVersion) -> str:
    """The statement a representative ticks, naming them (stored as signed)."""
    from consent.documents import version_title

    with override(version.language):
        return gettext(
            "I, %(name)s (%(relationship)s), sign on behalf of %(patient)s as their legally "
            "authorised representative (%(authority)s). I have read and understood “%(title)s” "
            "(%(label)s), I have the legal authority to consent for the patient, and I consent on "
            "their behalf to treatment as it describes. I intend this electronic signature to be "
            "my legally binding signature, just as if I had signed on paper."
        ) % {
            "name": signer.name,
            "relationship": signer.relationship,
            "patient": patient.full_name,
            "authority": authority_label(signer.authority, signer.authority_detail),
            "title": version_title(version),
            "label": version.label,
        }


def representative_intent_unnamed(patient: Patient, version: ConsentVersion) -> str:
    """The statement a representative ticks, before they have named themselves (the review
    page); the stored statement names them (`representative_intent`)."""
    from consent.documents import version_title

    with override(version.language):
        return gettext(
            "I sign on behalf of %(patient)s as their legally authorised representative. I have "
            "read and understood “%(title)s” (%(label)s), I have the legal authority to consent "
            "for the patient, and I consent on their behalf to treatment as it describes. I "
            "intend this electronic signature to be my legally binding signature, just as if I "
            "had signed on paper."
        ) % {
            "patient": patient.full_name,
            "title": version_title(version),
            "label": version.label,
        }


def representative_intent_template(patient: Patient, version: ConsentVersion) -> str:
    """For the signed document (whose hash does not depend on who signs): the statement a
    representative signs with, next to the patient's own."""
    with override(version.language):
        lead = gettext(
            "If a legally authorised representative signs for %(patient)s, they sign with this "
            "statement instead:"
        ) % {"patient": patient.full_name}
    return f"{lead} {representative_intent_unnamed(patient, version)}"


def representative_meaning(version: ConsentVersion) -> str:
    with override(version.language):
        return str(REPRESENTATIVE_MEANING)


def signed_by_line(signature: ConsentSignature, language: str | None = None) -> str:
    """ "Signed by <name>, <relationship>, as the patient's legally authorised representative
    (<authority>) on behalf of <patient>" — for the PDF, the case page and the patient's page."""
    if not signature.by_representative:
        return ""
    with override(language) if language else nullcontext():
        return gettext(
            "Signed by %(name)s, %(relationship)s, as the patient's legally authorised "
            "representative (%(authority)s) on behalf of %(patient)s"
        ) % {
            "name": signature.representative_name,
            "relationship": signature.representative_relationship,
            "authority": authority_label(
                signature.representative_authority, signature.representative_authority_detail
            ),
            "patient": signature.patient.full_name,
        }


def signer_context(req: Any, version: ConsentVersion, form: Any) -> dict[str, Any]:
    """The review page's "who is signing" part: whether a representative may sign, which
    choice is made (kept after a refusal), and the representative's statement to tick."""
    allowed = req.document.allow_representative
    chosen = str(form["signer_role"].value() or "patient") if allowed else "patient"
    return {
        "representative_allowed": allowed,
        "signer_is_representative": chosen == SignerRole.REPRESENTATIVE,
        "representative_intent": (
            representative_intent_unnamed(req.patient, version) if allowed else ""
        ),
    }
