"""The witness's or clinician's countersignature of a consent, captured in the clinic.

A consent document may require a countersignature (`ConsentDocument.countersignature`); each
signature copies the setting when it is signed (`ConsentSignature.countersignature_required`).
Until the countersignature exists the consent is not complete:

- the case stays at Consent pending: the signing hook does not move it, and planning's guard on
  `record_consent` refuses a signature still awaiting its countersignature, under the case lock;
- nothing is sealed: the consent PDF is sealed ONCE, when the consent is complete, and holds
  both signatures. Sealing the patient's signature first and a second, superseding version
  later would leave two sealed "consent records" of one consent, the first of them incomplete
  yet looking final; sealing once keeps "a signed record is never edited or deleted" without
  a record that has to be explained away.

`consent_countersign` runs in one transaction under the case's row lock (taken through the
hook planning registers): it checks the consent still awaits this countersignature, verifies a
clinician's e-signature (`core.esign`, the same path as plan approval: a refusal is audited and
committed with nothing else), writes the insert-only `ConsentCountersignature`, audits it, lets
planning move the case (`hooks.run_countersigned`) and queues the sealed PDF on commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from consent import hooks
from consent.models import (
    ConsentCountersignature,
    ConsentRequest,
    ConsentSignature,
    Countersignature,
)
from consent.representatives import signed_by_line
from consent.selectors import withdrawn_since_signing
from consent.services import queue_consent_pdf
from consent.signature_checks import SignatureImplausible, check_signature
from consent.text import names_match
from core import request_context
from core.audit import audit_record
from core.errors import AccessDenied, DomainError, NotFound, ValidationFailed
from core.esign import ESignature
from core.models import User
from core.validators import NAME_MAX

CLINICIAN_PERM = "consent.countersign_clinician"
WITNESS_PERM = "consent.capture_witness"

CLINICIAN_MEANING = "Countersignature of the informed consent by the clinician"
WITNESS_MEANING = "Countersignature of the informed consent by a witness"


class CountersignRefused(DomainError):
    status = 409
    code = "countersign_refused"


@dataclass(frozen=True)
class WitnessInput:
    name: str
    attested: bool
    signature_data_url: str
    strokes_json: str


def signer_words(signature: ConsentSignature) -> str:
    """Who signed, in plain words (the statement the countersigner confirms)."""
    return (
        signed_by_line(signature, "en") or f"Signed by the patient, {signature.patient.full_name}"
    )


def clinician_statement(signature: ConsentSignature, staff: User) -> str:
    return (
        f"I, {staff.display_name}, countersign this informed consent ({signature.version.label}, "
        f"signature #{signature.pk}). {signer_words(signature)}."
    )


def witness_statement(signature: ConsentSignature, witness: str) -> str:
    return (
        f"I, {witness}, witnessed the signing of this informed consent "
        f"({signature.version.label}, signature #{signature.pk}). {signer_words(signature)}."
    )


def consent_countersign(
    *,
    signature_id: int,
    actor: User,
    esignature: ESignature | None = None,
    witness: WitnessInput | None = None,
) -> ConsentCountersignature:
    """Countersign: a clinician with `esignature`, or a witness (`witness`) captured by staff.

    Refuses, with nothing written, when the consent needs no (or another kind of)
    countersignature, already has one, was withdrawn, or its case no longer awaits consent;
    when the actor is the patient or lacks the permission; on a wrong e-signature (audited) or a
    missing witness name, attestation or drawing (field errors).
    """
    found = ConsentSignature.objects.filter(pk=signature_id).first()
    if found is None:
        raise NotFound("No such consent signature.")
    try:
        return _countersign(found, actor, esignature, witness)
    except DomainError as exc:  # audited after the rollback, so the refusal stays recorded
        _audit_refusal(found, actor, exc)
        raise


def _countersign(
    found: ConsentSignature,
    actor: User,
    esignature: ESignature | None,
    witness: WitnessInput | None,
) -> ConsentCountersignature:
    refused: DomainError | None = None
    with transaction.atomic():
        hooks.lock_case(found.case_id)
        locked = _lock(found)
        _require_due(locked, actor)
        if locked.countersignature_required == Countersignature.CLINICIAN:
            try:
                _verify(esignature, actor, locked)
            except DomainError as exc:
                refused = exc  # the esign.failed entry is kept: commit it, with nothing else
        if refused is None:
            return _create(locked, locked.countersignature_required, actor, witness)
    assert refused is not None
    raise refused


def _lock(signature: ConsentSignature) -> ConsentSignature:
    """Lock the request row (countersigning twice at once waits here, then finds the first)."""
    ConsentRequest.objects.select_for_update().filter(pk=signature.request_id).first()
    return (
        ConsentSignature.objects.select_related("patient", "version__document")
        .filter(pk=signature.pk)
        .get()
    )


def _require_due(signature: ConsentSignature, actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active:
        raise AccessDenied("Sign in to countersign.")
    if signature.patient.user_id is not None and actor.pk == signature.patient.user_id:
        raise AccessDenied("A patient cannot countersign their own consent.")
    kind = signature.countersignature_required
    needed = CLINICIAN_PERM if kind == Countersignature.CLINICIAN else WITNESS_PERM
    if kind != Countersignature.NONE and not actor.has_perm(needed):
        raise AccessDenied(
            "Only a physician or nurse can countersign this consent."
            if kind == Countersignature.CLINICIAN
            else "You may not capture a witness's countersignature."
        )
    if kind == Countersignature.NONE:
        raise CountersignRefused("This consent needs no countersignature.")
    if ConsentCountersignature.objects.filter(signature_id=signature.pk).exists():
        raise CountersignRefused("This consent is already countersigned.")
    if ConsentSignature.objects.filter(pk=signature.pk).filter(withdrawn_since_signing()).exists():
        raise CountersignRefused("The consent was withdrawn; there is nothing to countersign.")
    facts = hooks.case_facts(signature.case_id)
    if facts is None or not facts.awaiting_consent:
        state = facts.state_label if facts else "gone"
        raise CountersignRefused(f"The case is {state}; it no longer awaits this consent.")


def _verify(esignature: ESignature | None, actor: User, signature: ConsentSignature) -> None:
    if esignature is None:
        raise ValidationFailed({"password": "Re-enter your password to sign."})
    esignature.verify(user=actor, meaning=CLINICIAN_MEANING, case_id=signature.case_id)


def _check_witness(signature: ConsentSignature, witness: WitnessInput | None) -> tuple[str, object]:
    if witness is None:
        raise ValidationFailed({"witness_name": "Type the witness's full name."})
    errors: dict[str, str] = {}
    name = " ".join(witness.name.split())
    if not name:
        errors["witness_name"] = "Type the witness's full name."
    elif len(name) > NAME_MAX or "\x00" in name:
        errors["witness_name"] = f"At most {NAME_MAX} characters, please."
    elif names_match(name, signature.patient.full_name) or (
        signature.by_representative and names_match(name, signature.representative_name)
    ):
        errors["witness_name"] = "The witness must be someone other than the person who signed."
    checked = None
    try:
        checked = check_signature(witness.signature_data_url, witness.strokes_json)
    except SignatureImplausible as exc:
        errors["signature"] = str(exc)
    if not witness.attested:
        errors["attest"] = "The witness must confirm the statement by ticking the box."
    if errors:
        raise ValidationFailed(
            errors, "The countersignature was not recorded. Please check the form."
        )
    return name, checked


def _create(
    signature: ConsentSignature,
    kind: str,
    actor: User,
    witness: WitnessInput | None,
) -> ConsentCountersignature:
    ctx = request_context.current()
    fields: dict[str, object] = {}
    if kind == Countersignature.WITNESS:
        name, checked = _check_witness(signature, witness)
        fields = {
            "witness_name": name,
            "image_png": checked.png,  # type: ignore[attr-defined]
            "strokes": checked.strokes,  # type: ignore[attr-defined]
            "meaning": WITNESS_MEANING,
            "statement": witness_statement(signature, name),
        }
    else:
        fields = {"meaning": CLINICIAN_MEANING, "statement": clinician_statement(signature, actor)}
    countersignature = ConsentCountersignature.objects.create(
        signature=signature,
        kind=kind,
        case_id=signature.case_id,
        staff=actor,
        staff_name=actor.display_name,
        signed_at=timezone.now(),
        ip=ctx.ip if ctx else None,
        user_agent=ctx.user_agent if ctx else "",
        **fields,
    )
    audit_record(
        action=(
            "consent.countersigned.clinician"
            if kind == Countersignature.CLINICIAN
            else "consent.countersigned.witness"
        ),
        actor=actor,
        case_id=signature.case_id,
        patient_id=signature.patient_id,
        target=signature.audit_target,
        data={
            "countersignature": countersignature.pk,
            "signature": signature.pk,
            "witness_name": countersignature.witness_name,
            "staff": actor.display_name,
            "meaning": countersignature.meaning,
        },
    )
    hooks.run_countersigned(countersignature, actor)
    queue_consent_pdf(signature.pk)
    return countersignature


def _audit_refusal(signature: ConsentSignature, actor: User, exc: DomainError) -> None:
    audit_record(
        action="consent.countersign.refused",
        actor=actor,
        case_id=signature.case_id,
        patient_id=signature.patient_id,
        target=signature.audit_target,
        data={"message": exc.message},
    )
