"""How a view reaches consent records: by signing-link token, or as a signed-in person.

The token is looked up by its hash only. A patient reaches their own records only; staff roles
reach any. Every refusal is written to the audit trail, and nothing the person may not see is
returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404
from django.utils.translation import gettext_lazy

from consent import hooks
from consent.models import ConsentRequest, ConsentSignature, PaperCopyRequest
from core.access import Action, audit_access, audit_denied, get_action, require_action
from core.audit import audit_record
from core.errors import DomainError
from core.links import CLOSED_MESSAGES, link_closed_reason, link_for_token
from core.models import LinkPurpose, Patient
from records.models import RecordKind, SealedRecord
from records.selectors import record_latest

SESSION_KEY = "consent_verified_links"


class LinkClosed(DomainError):
    """The link exists but can no longer be used; `reason` names why for the page."""

    status = 410
    code = "link_closed"

    def __init__(self, message: str, *, reason: str, request: ConsentRequest) -> None:
        super().__init__(message)
        self.reason = reason
        self.request = request
        if reason == "locked":
            self.status = 403


def access_link(token: str) -> ConsentRequest:
    """The request behind a signing link, or 404 (audited) for an unknown token."""
    link = link_for_token(token, purpose=LinkPurpose.CONSENT)
    req = (
        ConsentRequest.objects.select_related("patient", "document", "link")
        .filter(link=link)
        .first()
        if link is not None
        else None
    )
    if req is None:
        audit_denied(None, what="consent link (unknown token)")
        raise Http404("This link is not valid.")
    return req


def require_link_open(req: ConsentRequest) -> None:
    """Refuse a locked, revoked, expired or finished link with a clear reason (audited)."""
    reason = _closed_reason(req)
    if not reason:
        return
    audit_record(
        action="consent.link.refused",
        actor_label="anonymous",
        case_id=req.case_id,
        patient_id=req.patient_id,
        target=req.link.audit_target,
        data={"reason": reason},
    )
    message = str(CLOSED_MESSAGES.get(reason) or DECLINED_MESSAGE)
    raise LinkClosed(message, reason=reason, request=req)


DECLINED_MESSAGE = gettext_lazy(
    "You declined to sign. If you change your mind, please call the clinic."
)


def _closed_reason(req: ConsentRequest) -> str:
    """The link's own rules (core.links) and the request's: a declined request is closed, and
    a signed one stays usable after expiry (the done page, the copy download)."""
    reason = link_closed_reason(req.link)
    if reason == "locked":
        return reason
    if req.status == ConsentRequest.Status.DECLINED:
        return "declined"
    if req.status == ConsentRequest.Status.REVOKED:
        return "revoked"
    if reason == "expired" and req.status != ConsentRequest.Status.PENDING:
        return ""
    return reason


def link_verified(session: SessionBase, req: ConsentRequest) -> bool:
    return req.pk in session.get(SESSION_KEY, [])


def mark_link_verified(session: SessionBase, req: ConsentRequest) -> None:
    session.cycle_key()  # a new session id once the person is identified
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), req.pk][-10:]


@dataclass(frozen=True)
class ConsentCase:
    """A case as consent sees it, reached for one action, and its patient."""

    facts: hooks.CaseFacts
    patient: Patient


def access_consent_case(user: Any, case_id: int, *, action: str | Action) -> ConsentCase:
    """The case if this user may take `action` on it (any case, or a patient's own); else 403
    for a role without the action, 404 (audited) for a case that is not theirs or not there."""
    act = require_action(user, action, what=f"consent for case:{case_id}")
    facts = hooks.case_facts(case_id)
    patient = Patient.objects.filter(pk=facts.patient_id).first() if facts else None
    if facts is None or patient is None or not act.allows(user, owner_user_id=patient.user_id):
        audit_denied(user, what=f"{act.name} case:{case_id}", case_id=case_id)
        raise Http404("No such case.")
    audit_access(user, act, case_id=case_id, patient_id=patient.pk, target=f"case:{case_id}")
    return ConsentCase(facts=facts, patient=patient)


def access_signature_pdf(user: Any, signature_id: int) -> SealedRecord:
    """A sealed consent PDF for its download (`consent.pdf`): staff any, a patient their own,
    anyone else 404 (audited). The download is audited here, once, so the view that hands out
    the bytes writes nothing more."""
    act = require_action(user, "consent.pdf", what=f"consent_signature:{signature_id} pdf")
    signature = ConsentSignature.objects.select_related("patient").filter(pk=signature_id).first()
    record = record_latest(RecordKind.CONSENT, signature_id) if signature else None
    if signature is None or record is None or not may_see_signature(user, signature, action=act):
        audit_denied(user, what=f"consent_signature:{signature_id} pdf")
        raise Http404("No such record, or it is not ready yet.")
    audit_access(
        user,
        act,
        case_id=signature.case_id,
        patient_id=signature.patient_id,
        target=signature.audit_target,
        data={"sha256": record.sha256, "via": "signed-in"},
    )
    return record


def may_see_record(user: Any, record: SealedRecord, *, action: str | Action) -> bool:
    """May this user see which record an uploaded PDF is (the verify page)? The same rule as
    the record's download: staff any, a patient their own."""
    act = action if isinstance(action, Action) else get_action(action)
    owner = (
        Patient.objects.filter(pk=record.patient_id).values_list("user_id", flat=True).first()
        if record.patient_id
        else None
    )
    return act.allows(user, owner_user_id=owner)


def may_see_signature(
    user: Any, signature: ConsentSignature, *, action: str | Action = "consent.pdf"
) -> bool:
    act = action if isinstance(action, Action) else get_action(action)
    return act.allows(user, owner_user_id=signature.patient.user_id)


def access_consent_request(user: Any, request_id: int, *, action: str | Action) -> ConsentRequest:
    req = _on_case(ConsentRequest, user, request_id, action, "consent_request")
    assert isinstance(req, ConsentRequest)
    return req


def access_paper_copy(user: Any, paper_id: int, *, action: str | Action) -> PaperCopyRequest:
    paper = _on_case(PaperCopyRequest, user, paper_id, action, "paper_copy")
    assert isinstance(paper, PaperCopyRequest)
    return paper


def _on_case(
    model: type[ConsentRequest | PaperCopyRequest],
    user: Any,
    pk: int,
    action: str | Action,
    label: str,
) -> ConsentRequest | PaperCopyRequest:
    """A row that belongs to a case, reached through that case (403/404 as for the case)."""
    act = require_action(user, action, what=f"{label}:{pk}")
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        audit_denied(user, what=f"{act.name} {label}:{pk}")
        raise Http404("No such record.")
    access_consent_case(user, row.case_id, action=act)
    return row


def access_signature(user: Any, signature_id: int, *, action: str | Action) -> ConsentSignature:
    """A consent signature reached through its case (403/404 as for the case): the
    countersigning pages."""
    act = require_action(user, action, what=f"consent_signature:{signature_id}")
    signature = (
        ConsentSignature.objects.select_related("patient", "version__document", "request")
        .filter(pk=signature_id)
        .first()
    )
    if signature is None:
        audit_denied(user, what=f"{act.name} consent_signature:{signature_id}")
        raise Http404("No such signature.")
    access_consent_case(user, signature.case_id, action=act)
    return signature
