"""Every write in consent: keyword-only, typed, atomic; side effects queued on commit.

The layer above reacts through the hooks in `consent.hooks` (re-exported here), which run
inside these transactions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consent import channel, hooks
from consent.documents import (
    SigningDocument,
    current_version,
    intent_statement,
    meaning,
    questions_for,
    reread_passage,
    signing_document,
    version_for,
    version_title,
)
from consent.models import (
    ConsentCountersignature,
    ConsentDocument,
    ConsentRequest,
    ConsentSignature,
    ConsentVersion,
    ConsentWithdrawal,
    DisclosureAgreement,
    PaperCopyRequest,
)
from consent.representatives import (
    PATIENT_SIGNER,
    Signer,
    SignerErrors,
    SignerInput,
    representative_intent,
    representative_meaning,
    signer_check,
)
from consent.signature_checks import SignatureImplausible, check_signature
from consent.text import canonical_text, names_match, sha256_hex
from core import request_context
from core.audit import audit_record
from core.errors import DomainError, NotFound, ValidationFailed
from core.links import DobResult, link_create, link_dob_check, link_revoke
from core.models import ClinicSettings, LinkPurpose, Patient, User
from core.outbox import message_enqueue
from core.validators import REASON_MAX, check_text
from records.models import RecordKind, RecordOrigin, SealedRecord
from records.pipeline import RenderRequest
from records.selectors import record_content, record_latest
from records.services import RecordOwner, sealed_record_create

logger = logging.getLogger(__name__)

register_case_lookup = hooks.register_case_lookup
register_on_signed = hooks.register_on_signed
register_on_declined = hooks.register_on_declined
register_on_withdrawn = hooks.register_on_withdrawn
register_on_published = hooks.register_on_published

__all__ = [
    "consent_answers_submit",
    "consent_decline",
    "consent_disclosure_agree",
    "consent_dob_check",
    "consent_paper_copy_complete",
    "consent_paper_copy_request",
    "consent_pdf_ensure",
    "consent_read_record",
    "consent_request_create",
    "consent_request_revoke",
    "consent_review_record",
    "consent_sign",
    "consent_version_publish",
    "consent_withdraw",
    "register_case_lookup",
    "register_on_declined",
    "register_on_published",
    "register_on_signed",
    "register_on_withdrawn",
]


class StepRefused(DomainError):
    """A signing step is out of order or its link is no longer usable."""

    status = 409
    code = "step_refused"


def _ctx() -> tuple[str | None, str]:
    ctx = request_context.current()
    return (ctx.ip, ctx.user_agent) if ctx else (None, "")


def _audit_request(req: ConsentRequest, action: str, **data: Any) -> None:
    actor = data.pop("actor", None)
    audit_record(
        action=action,
        actor=actor,
        actor_label="" if actor else channel.patient_label(req),
        case_id=req.case_id,
        patient_id=req.patient_id,
        target=req.audit_target,
        data=data,
    )


def _locked_request(request_id: int) -> ConsentRequest:
    req = (
        ConsentRequest.objects.select_for_update()
        .select_related("patient", "document", "link")
        .filter(pk=request_id)
        .first()
    )
    if req is None:
        raise NotFound("No such consent request.")
    return req


def _require_open(req: ConsentRequest, *, allow_signed: bool = False) -> None:
    """Refuse a step on a link that is no longer usable, with the reason. `allow_signed`: a
    signed link still identifies its patient (to see the done page and download the copy)."""
    if req.status == ConsentRequest.Status.SIGNED and not allow_signed:
        raise StepRefused("This consent document has already been signed.")
    if req.status == ConsentRequest.Status.DECLINED:
        raise StepRefused("You declined this consent request. Please contact the clinic.")
    if req.status == ConsentRequest.Status.REVOKED:
        raise StepRefused("This link was withdrawn by the clinic. Please ask for a new one.")
    if req.locked_at is not None:
        raise StepRefused("This link is locked after too many wrong dates of birth.")
    if req.is_expired():
        raise StepRefused("This link has expired. Please ask the clinic for a new one.")


# ---- versions ----------------------------------------------------------------------------


def consent_version_publish(*, version_id: int, actor: User) -> ConsentVersion:
    """Freeze a draft: hash its canonical text, stamp the time; then run re-consent hooks."""
    with transaction.atomic():
        version = (
            ConsentVersion.objects.select_for_update()
            .select_related("document")
            .filter(pk=version_id)
            .first()
        )
        if version is None:
            raise NotFound("No such consent version.")
        if version.is_published:
            raise ValidationFailed({"version": f"{version.label} is already published."})
        if not version.body_markdown.strip():
            raise ValidationFailed({"body_markdown": "The document text is empty."})
        if version.source_version_id is not None:
            _require_translatable(version)
            data: dict[str, Any] = {
                "language": version.language,
                "translation_of": version.source.label,
                "source_sha256": version.source.body_sha256,
            }
        else:
            previous = current_version(version.document)
            if version.supersedes_id is None and previous is not None:
                version.supersedes = previous
            data = {
                "material_change": version.material_change,
                "supersedes": previous.label if previous else None,
            }
        version.body_markdown = canonical_text(version.body_markdown)
        version.body_sha256 = sha256_hex(version.body_markdown)
        version.published_at = timezone.now()
        version.published_by = actor
        version.save()
        audit_record(
            action="consent.version.publish",
            actor=actor,
            target=f"consent_version:{version.pk}",
            data={"label": version.label, "sha256": version.body_sha256, **data},
        )
        if version.source_version_id is None:  # a translation changes no case
            hooks.run_published(version, actor)
    return version


def _require_translatable(version: ConsentVersion) -> None:
    """A translation renders a published source version of the same document, in another
    language."""
    source = version.source_version
    if source is None or not source.is_published or source.document_id != version.document_id:
        raise ValidationFailed(
            {"source_version": "A translation renders a published version of the same document."}
        )
    if source.source_version_id is not None or version.language == source.language:
        raise ValidationFailed(
            {"language": "A translation is of a source version, into another language."}
        )


# ---- invitations -------------------------------------------------------------------------


def treatment_document() -> ConsentDocument:
    document = ConsentDocument.objects.filter(kind=ConsentDocument.KIND_TREATMENT).first()
    if document is None or current_version(document) is None:
        raise ValidationFailed(
            {"document": "No consent document is published yet. A clinic admin must publish one."}
        )
    return document


NO_ADDRESS = (
    "The patient has no e-mail address on file, so an invitation would reach nobody. A clinic "
    "admin can add one (Admin, Patients), or the patient can sign on a clinic tablet. Nothing "
    "was sent and any open link still works."
)


def consent_request_create(
    *, case_id: int, actor: User | None, reconsent: bool = False, must_reach: bool = False
) -> tuple[ConsentRequest, str]:
    """Create a signing link (256-bit token, only its hash stored) and e-mail it on commit.

    Any earlier open link for the case is revoked: one live link at a time. Returns the token
    for the caller that sends it (the mail) or drives the demo; it is never stored. With
    `must_reach` (staff sending an invitation) a patient without an e-mail address is refused
    before anything changes; a re-consent round opens the request anyway (the board shows it).
    """
    facts = hooks.case_facts(case_id)
    if facts is None:
        raise NotFound("No such case.")
    if not facts.awaiting_consent:
        raise ValidationFailed(
            {"case": f"The case is {facts.state_label}; invitations are sent at Consent pending."}
        )
    document = treatment_document()
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=facts.patient_id)
        if must_reach and not patient.email:
            raise ValidationFailed({"email": NO_ADDRESS})
        for old in ConsentRequest.objects.select_for_update().filter(
            case_id=case_id, status=ConsentRequest.Status.PENDING
        ):
            _revoke(old, actor, reason="replaced by a new invitation")
        days = ClinicSettings.current().consent_link_days
        link, token = link_create(
            purpose=LinkPurpose.CONSENT,
            patient=patient,
            case_id=case_id,
            expires_at=timezone.now() + timedelta(days=days),
            actor=actor,
        )
        req = ConsentRequest.objects.create(
            patient=patient,
            case_id=case_id,
            document=document,
            link=link,
            sent_to=patient.email,
            created_by=actor,
        )
        _audit_request(
            req,
            "consent.request.create",
            actor=actor,
            expires_at=req.expires_at.isoformat(),
            sent_to=patient.email,
            reconsent=reconsent,
        )
        if patient.email:
            message_enqueue(
                template="consent_invitation",
                to=patient.email,
                dedupe_key=f"consent-invitation-{req.pk}",
                context={"patient": patient, "expires_at": req.expires_at, "reconsent": reconsent},
                link=settings.PATHWAY_BASE_URL.rstrip("/") + reverse("consent_link", args=[token]),
                case_id=case_id,
                patient_id=patient.pk,
                language=patient.preferred_language,
            )
    return req, token


def _revoke(req: ConsentRequest, actor: User | None, *, reason: str) -> None:
    req.status = ConsentRequest.Status.REVOKED
    req.save(update_fields=["status"])
    link_revoke(link_id=req.link_id, actor=actor, reason=reason)
    _audit_request(req, "consent.request.revoke", actor=actor, reason=reason)


def consent_request_revoke(*, request_id: int, actor: User, reason: str = "") -> ConsentRequest:
    check_text(reason=(reason, REASON_MAX))
    with transaction.atomic():
        req = _locked_request(request_id)
        if req.status != ConsentRequest.Status.PENDING:
            raise StepRefused(
                f"This request is {req.get_status_display().lower()}; nothing to revoke."
            )
        _revoke(req, actor, reason=reason.strip() or "revoked by staff")
    return req


# ---- the signing steps -------------------------------------------------------------------


def consent_dob_check(*, request_id: int, date_of_birth: date) -> DobResult:
    """The link's date-of-birth check (core.links), on a request that is still usable."""
    req = ConsentRequest.objects.select_related("link").filter(pk=request_id).first()
    if req is None:
        raise NotFound("No such consent request.")
    if req.status not in (ConsentRequest.Status.PENDING, ConsentRequest.Status.SIGNED):
        _require_open(req)  # declined or revoked: the request's own refusal
    return link_dob_check(link_id=req.link_id, date_of_birth=date_of_birth)


def disclosure_needed(patient: Patient) -> bool:
    return not DisclosureAgreement.objects.filter(patient=patient).exists()


def consent_disclosure_agree(*, request_id: int, disclosure_text: str) -> DisclosureAgreement:
    ip, agent = _ctx()
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        agreement = DisclosureAgreement.objects.create(
            patient=req.patient,
            request=req,
            disclosure_sha256=sha256_hex(disclosure_text),
            ip=ip,
            user_agent=agent,
        )
        _audit_request(req, "consent.disclosure.agree", sha256=agreement.disclosure_sha256)
    return agreement


def consent_paper_copy_request(*, request_id: int, note: str = "") -> PaperCopyRequest:
    """The patient wants paper: a task appears on the staff case page."""
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        paper = PaperCopyRequest.objects.create(
            patient=req.patient, request=req, case_id=req.case_id, note=note.strip()[:1000]
        )
        _audit_request(req, "consent.paper_copy.request", paper_copy_request=paper.pk)
    return paper


def consent_paper_copy_complete(*, paper_request_id: int, actor: User) -> PaperCopyRequest:
    with transaction.atomic():
        paper = (
            PaperCopyRequest.objects.select_for_update()
            .select_related("request", "request__patient")
            .filter(pk=paper_request_id)
            .first()
        )
        if paper is None:
            raise NotFound("No such paper-copy request.")
        if paper.completed_at is None:
            paper.completed_at = timezone.now()
            paper.completed_by = actor
            paper.save(update_fields=["completed_at", "completed_by"])
            _audit_request(paper.request, "consent.paper_copy.done", actor=actor)
    return paper


def patient_version(req: ConsentRequest) -> ConsentVersion | None:
    """The version this request's patient is shown now: the current source version, in the
    patient's preferred language when a translation of it is published."""
    return version_for(req.document, req.patient.preferred_language)


def _require_current(req: ConsentRequest, version_id: int) -> ConsentVersion:
    version = patient_version(req)
    if version is None or version.pk != version_id:
        raise StepRefused(
            _("The clinic has published a newer version of this document. Please read it again.")
        )
    return version


def consent_read_record(*, request_id: int, version_id: int) -> None:
    """The patient scrolled to the end of the document and continued."""
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        version = _require_current(req, version_id)
        req.read_version, req.read_at = version, timezone.now()
        req.save(update_fields=["read_version", "read_at"])
        _audit_request(
            req, "consent.document.read", version=version.label, language=version.language
        )


@dataclass(frozen=True)
class WrongAnswer:
    question_id: int
    passage_html: str


def consent_answers_submit(
    *, request_id: int, version_id: int, answers: dict[int, int]
) -> list[WrongAnswer]:
    """Check every answer. Wrong ones come back with the passage to re-read; when all are
    right, the questions and answers are frozen on the request for the record."""
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        version = _require_current(req, version_id)
        if req.read_version_id != version.pk:
            raise StepRefused(_("Please read the whole document first."))
        questions = questions_for(req.document, version.language)
        wrong = [
            WrongAnswer(q.pk, reread_passage(version, q))
            for q in questions
            if answers.get(q.pk) != q.correct_choice
        ]
        req.answer_attempts += 1
        if not wrong:
            req.answers_version = version
            req.answers = {
                "summary": [
                    {"question": q.prompt, "answer": q.choice_list[answers[q.pk] - 1]}
                    for q in questions
                ]
            }
        req.save(update_fields=["answer_attempts", "answers_version", "answers"])
        _audit_request(
            req,
            "consent.comprehension.pass" if not wrong else "consent.comprehension.retry",
            attempt=req.answer_attempts,
            wrong=[w.question_id for w in wrong],
        )
    return wrong


def _document_for(req: ConsentRequest, version: ConsentVersion) -> SigningDocument:
    return signing_document(version, req.patient, req.answers.get("summary", []))


def consent_review_record(*, request_id: int) -> SigningDocument:
    """Render exactly what will be signed and remember its hash (the server-side proof that
    the patient was shown the review page)."""
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        version = patient_version(req)
        if version is None or req.answers_version_id != version.pk:
            raise StepRefused(_("Please answer the understanding questions first."))
        doc = _document_for(req, version)
        if req.reviewed_sha256 != doc.sha256:
            req.reviewed_version, req.reviewed_sha256 = version, doc.sha256
            req.reviewed_at = timezone.now()
            req.save(update_fields=["reviewed_version", "reviewed_sha256", "reviewed_at"])
            _audit_request(req, "consent.review.shown", document_sha256=doc.sha256)
    return doc


def consent_sign(
    *,
    request_id: int,
    document_sha256: str,
    typed_name: str,
    intent_confirmed: bool,
    signature_data_url: str,
    strokes_json: str,
    signer: SignerInput | None = None,
) -> ConsentSignature:
    """Record the signature and, through the hooks, move the case; all or nothing.

    Refuses (ValidationFailed with per-field messages, or StepRefused) before anything is
    written: a blank or implausible drawing, a name that does not match the signer's
    (ignoring case and accents), a missing intent, a stale or unreviewed document, a
    representative's missing or overlong name, relationship or authority
    (`consent.representatives`). When the document needs a countersignature, the case moves on
    and the PDF is sealed only once it is countersigned (`consent.countersign`).
    """
    try:
        return _sign(
            request_id=request_id,
            document_sha256=document_sha256,
            typed_name=typed_name,
            intent_confirmed=intent_confirmed,
            signature_data_url=signature_data_url,
            strokes_json=strokes_json,
            signer=signer or SignerInput(),
        )
    except DomainError as exc:
        req = ConsentRequest.objects.select_related("patient").filter(pk=request_id).first()
        if req is not None:  # the refusal is audited after the rollback, so it stays recorded
            _audit_request(req, "consent.sign.refused", message=exc.message, **exc.details)
        raise


def _sign(
    *,
    request_id: int,
    document_sha256: str,
    typed_name: str,
    intent_confirmed: bool,
    signature_data_url: str,
    strokes_json: str,
    signer: SignerInput,
) -> ConsentSignature:
    ip, agent = _ctx()
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        version = patient_version(req)
        if version is None or req.reviewed_version_id != version.pk or not req.reviewed_sha256:
            raise StepRefused(_("Please review the document before signing."))
        doc = _document_for(req, version)
        if document_sha256 != req.reviewed_sha256 or doc.sha256 != req.reviewed_sha256:
            raise StepRefused(
                _("The document changed since you reviewed it. Please review it again.")
            )
        checked, who = _check_sign_fields(
            req, typed_name, intent_confirmed, signature_data_url, strokes_json, signer
        )
        signature = ConsentSignature.objects.create(
            request=req,
            version=version,
            patient=req.patient,
            case_id=req.case_id,
            document_html=doc.html,
            document_sha256=doc.sha256,
            typed_name=" ".join(typed_name.split()),
            meaning=representative_meaning(version) if who.is_representative else meaning(version),
            intent_statement=(
                representative_intent(who, req.patient, version)
                if who.is_representative
                else intent_statement(req.patient, version)
            ),
            comprehension=req.answers.get("summary", []),
            image_png=checked.png,
            strokes=checked.strokes,
            ip=ip,
            user_agent=agent,
            **channel.channel_fields(req),
            signer_role=who.role,
            representative_name=who.name,
            representative_relationship=who.relationship,
            representative_authority=who.authority,
            representative_authority_detail=who.authority_detail,
            countersignature_required=req.document.countersignature,
        )
        req.status = ConsentRequest.Status.SIGNED
        req.save(update_fields=["status"])
        _audit_request(
            req,
            "consent.signed",
            signature=signature.pk,
            version=version.label,
            version_sha256=version.body_sha256,
            language=version.language,
            source_version=version.source.label,
            document_sha256=doc.sha256,
            typed_name=signature.typed_name,
            meaning=signature.meaning,
            **_representative_data(who),
            countersignature_required=signature.countersignature_required,
        )
        channel.channel_signed(req, signature)
        hooks.run_signed(signature, req.patient.user)
        if not signature.needs_countersignature:  # else sealed once countersigned
            queue_consent_pdf(signature.pk)
    return signature


def _representative_data(who: Signer) -> dict[str, str]:
    if not who.is_representative:
        return {}
    return {
        "representative": who.name,
        "relationship": who.relationship,
        "authority": who.authority,
        "authority_detail": who.authority_detail,
    }


def _check_sign_fields(
    req: ConsentRequest,
    typed_name: str,
    intent: bool,
    data_url: str,
    strokes: str,
    signer: SignerInput,
) -> tuple[Any, Signer]:
    errors: dict[str, str] = {}
    checked = None
    who = PATIENT_SIGNER
    try:
        who = signer_check(req.document, req.patient, signer)
    except SignerErrors as exc:
        errors.update(exc.fields)
    try:
        checked = check_signature(data_url, strokes)
    except SignatureImplausible as exc:
        errors["signature"] = str(exc)
    if not typed_name.strip():
        errors["typed_name"] = _("Please type your full name.")
    elif signer.role == "representative":
        if who.is_representative and not names_match(typed_name, who.name):
            errors["typed_name"] = _(
                "Please type your own full name, as you gave it above as the representative."
            )
    elif not names_match(typed_name, req.patient.full_name):
        errors["typed_name"] = _(
            "The name you typed does not match the name the clinic has for you. Please "
            "type your full name as the clinic knows it (first and last name)."
        )
    if not intent:
        errors["intent"] = _("Please tick the box to confirm that you intend to sign.")
    if errors:
        raise ValidationFailed(errors, _("Your signature was not recorded. Please check the form."))
    return checked, who


def queue_consent_pdf(signature_id: int) -> None:
    """Seal the consent's PDF once the current transaction commits (a complete consent)."""
    from consent.tasks import consent_pdf_make  # tasks sit above services; import on use

    transaction.on_commit(lambda: consent_pdf_make.delay(signature_id))


def consent_decline(*, request_id: int, reason: str = "") -> ConsentRequest:
    """The patient does not want to sign: the request closes and the case is withdrawn."""
    with transaction.atomic():
        req = _locked_request(request_id)
        _require_open(req)
        req.status = ConsentRequest.Status.DECLINED
        req.declined_at = timezone.now()
        req.decline_reason = reason.strip()[:2000]
        req.save(update_fields=["status", "declined_at", "decline_reason"])
        _audit_request(req, "consent.declined", reason=req.decline_reason)
        hooks.run_declined(req, req.patient.user)
    return req


def consent_withdraw(
    *, patient: Patient, case_id: int, reason: str, actor: User
) -> ConsentWithdrawal:
    """A signed-in patient withdraws consent; the case is withdrawn through the hooks."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": _("Please tell us why you are withdrawing.")})
    ip, agent = _ctx()
    with transaction.atomic():
        signature = ConsentSignature.objects.filter(patient=patient, case_id=case_id).first()
        withdrawal = ConsentWithdrawal.objects.create(
            patient=patient, case_id=case_id, signature=signature, reason=reason[:2000],
            ip=ip, user_agent=agent,
        )  # fmt: skip
        audit_record(
            action="consent.withdrawn",
            actor=actor,
            case_id=case_id,
            patient_id=patient.pk,
            target=f"consent_withdrawal:{withdrawal.pk}",
            data={"reason": withdrawal.reason, "signature": signature.pk if signature else None},
        )
        hooks.run_withdrawn(withdrawal, actor)
    return withdrawal


# ---- the sealed PDF ----------------------------------------------------------------------


def consent_pdf_ensure(*, signature_id: int) -> SealedRecord:
    """Render, seal, verify and store the PDF of a signature unless it exists (idempotent: one
    record per signature; a lost message is re-driven by calling this)."""
    from consent.record import (
        LAYOUT_VERSION,
        SEAL_REASON,
        record_html,
        record_title,
        request_events,
    )

    existing = record_latest(RecordKind.CONSENT, signature_id)
    if existing is not None:
        return existing
    signature = (
        ConsentSignature.objects.select_related(
            "version__document", "patient", "request", "countersignature__staff"
        )
        .filter(pk=signature_id)
        .first()
    )
    if signature is None:
        raise NotFound("No such signature.")
    if awaiting_countersignature(signature):
        raise StepRefused("This consent is sealed once it is countersigned in the clinic.")
    patient, version = signature.patient, signature.version
    signed = timezone.localtime(signature.signed_at)
    record = sealed_record_create(
        owner=RecordOwner(
            kind=RecordKind.CONSENT,
            owner_id=signature.pk,
            label=(
                f"consent signature #{signature.pk}, case #{signature.case_id}, "
                f"{patient.full_name} ({patient.mrn}), {version.document.title} "
                f"{version.label}, signed {signed:%Y-%m-%d %H:%M %Z}"
            ),
            file_name=f"consent-{patient.mrn}-{version.label}-{signature.pk}.pdf",
            case_id=signature.case_id,
            patient_id=patient.pk,
        ),
        render=RenderRequest(
            html=record_html(signature, request_events(signature)),
            title=f"{record_title(version)} · {patient.full_name} · {version.label}",
            subject=f"Consent signature #{signature.pk}",
            reason=SEAL_REASON,
            metadata={"PathwaySignature": str(signature.pk), "lang": version.language},
        ),
        layout_version=LAYOUT_VERSION,
    )
    if record.version == 1 and record.origin == RecordOrigin.SEALED:
        transaction.on_commit(lambda: _mail_copy_ready(record.pk))
    return record


def awaiting_countersignature(signature: ConsentSignature) -> bool:
    """The document needed a countersignature when this was signed and none is recorded yet."""
    if not signature.needs_countersignature:
        return False
    return not ConsentCountersignature.objects.filter(signature_id=signature.pk).exists()


def _mail_copy_ready(record_id: int) -> None:
    record = SealedRecord.objects.get(pk=record_id)
    signature = ConsentSignature.objects.select_related("patient__user", "version__document").get(
        pk=record.owner_id
    )
    patient = signature.patient
    if not patient.email:
        return
    has_login = patient.user_id is not None
    link = (
        settings.PATHWAY_BASE_URL.rstrip("/") + reverse("pathway:patient_home") if has_login else ""
    )
    attachment = None if has_login else ("consent.pdf", record_content(record), "application/pdf")
    message_enqueue(
        template="consent_copy_ready",
        to=patient.email,
        dedupe_key=f"consent-copy-ready-{signature.pk}",
        context={
            "patient": patient,
            "link": link,
            "document_title": version_title(signature.version),
            "version_label": signature.version.label,
            "signed_at": signature.signed_at,
        },
        attachment=attachment,
        case_id=signature.case_id,
        patient_id=patient.pk,
        language=patient.preferred_language,
    )
