"""How a view reaches consent records: by signing-link token, or as a signed-in person.

The token is looked up by its hash only. A patient reaches their own records only; staff roles
reach any. Every refusal is written to the audit trail, and nothing the person may not see is
returned.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404

from consent import hooks
from consent.models import ConsentRequest, ConsentSignature
from core.access import audit_denied, require_staff
from core.audit import audit_record
from core.errors import DomainError
from core.models import Patient
from core.roles import is_staff_member
from core.tokens import token_hash
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
    if not 20 <= len(token) <= 100:
        audit_denied(None, what="consent link (malformed token)")
        raise Http404("This link is not valid.")
    req = (
        ConsentRequest.objects.select_related("patient", "document")
        .filter(token_sha256=token_hash(token))
        .first()
    )
    if req is None:
        audit_denied(None, what="consent link (unknown token)")
        raise Http404("This link is not valid.")
    return req


def require_link_open(req: ConsentRequest) -> None:
    """Refuse an expired, revoked, locked or finished link with a clear reason (audited)."""
    reason, message = _closed_reason(req)
    if not reason:
        return
    audit_record(
        action="consent.link.refused",
        actor_label="anonymous",
        case_id=req.case_id,
        patient_id=req.patient_id,
        target=req.audit_target,
        data={"reason": reason},
    )
    raise LinkClosed(message, reason=reason, request=req)


def _closed_reason(req: ConsentRequest) -> tuple[str, str]:
    if req.locked_at is not None:
        return "locked", (
            "This link is locked because the date of birth was entered wrongly too many times. "
            "Please call the clinic for a new link."
        )
    if req.status == ConsentRequest.Status.REVOKED:
        return "revoked", "The clinic has withdrawn this link. Please ask the clinic for a new one."
    if req.status == ConsentRequest.Status.DECLINED:
        return "declined", "You declined to sign. If you change your mind, please call the clinic."
    if req.status == ConsentRequest.Status.PENDING and req.is_expired():
        return "expired", "This link has expired. Please ask the clinic for a new one."
    return "", ""


def link_verified(session: SessionBase, req: ConsentRequest) -> bool:
    return req.pk in session.get(SESSION_KEY, [])


def mark_link_verified(session: SessionBase, req: ConsentRequest) -> None:
    session.cycle_key()  # a new session id once the person is identified
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), req.pk][-10:]


def own_patient(user: Any) -> Patient | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Patient.objects.filter(user=user).first()


def access_own_case(user: Any, case_id: int) -> Patient:
    """A signed-in patient's own case, or 404 (audited)."""
    patient = own_patient(user)
    facts = hooks.case_facts(case_id)
    if patient is None or facts is None or facts.patient_id != patient.pk:
        audit_denied(user, what=f"consent for case:{case_id}", case_id=case_id)
        raise Http404("No such case.")
    return patient


def access_case_as_staff(user: Any, case_id: int) -> hooks.CaseFacts:
    require_staff(user, what=f"consent for case:{case_id}")
    facts = hooks.case_facts(case_id)
    if facts is None:
        raise Http404("No such case.")
    return facts


def access_signature_pdf(user: Any, signature_id: int) -> SealedRecord:
    """Staff reach any sealed PDF; a patient their own; anyone else gets 404 (audited)."""
    signature = ConsentSignature.objects.select_related("patient").filter(pk=signature_id).first()
    record = record_latest(RecordKind.CONSENT, signature_id) if signature else None
    if signature is None or record is None or not may_see_signature(user, signature):
        audit_denied(user, what=f"consent_signature:{signature_id} pdf")
        raise Http404("No such record, or it is not ready yet.")
    return record


def may_see_signature(user: Any, signature: ConsentSignature) -> bool:
    return is_staff_member(user) or signature.patient.user_id == getattr(user, "pk", None)
