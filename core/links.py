"""Patient links, one set of rules for every kind (consent signing, follow-up questionnaire).

A link's token is 256 random bits shown once; only its SHA-256 is stored. Nothing behind a
link is shown before the date of birth matches. Wrong dates of birth are counted on the link's
row, read and written under one row lock (`select_for_update` inside `transaction.atomic`), so
however many guesses arrive at once the count never passes the clinic's
`link_max_dob_attempts`, and the guess that reaches it locks the link for good. Every check,
lock, refusal and revocation is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.audit import audit_entry, audit_record_many
from core.bulk import bulk_insert
from core.errors import DomainError
from core.models import AuditEntry, ClinicSettings, LinkPurpose, Patient, PatientLink, User
from core.tokens import new_token, token_hash

CLOSED_MESSAGES = {
    "locked": gettext_lazy(
        "This link is locked because the date of birth was entered wrongly too many "
        "times. Please call the clinic for a new link."
    ),
    "revoked": gettext_lazy(
        "The clinic has withdrawn this link. Please ask the clinic for a new one."
    ),
    "expired": gettext_lazy("This link has expired. Please ask the clinic for a new one."),
}


class LinkClosedError(DomainError):
    """The link exists but can no longer be used; `reason` is locked, revoked or expired."""

    status = 410
    code = "link_closed"

    def __init__(self, reason: str) -> None:
        super().__init__(str(CLOSED_MESSAGES[reason]))
        self.reason = reason
        if reason == "locked":
            self.status = 403


@dataclass(frozen=True)
class DobResult:
    ok: bool
    tries_left: int
    locked: bool
    closed_reason: str = ""


def dob_limit() -> int:
    return ClinicSettings.current().link_max_dob_attempts


def link_create(
    *,
    purpose: LinkPurpose,
    patient: Patient,
    case_id: int | None,
    expires_at: datetime,
    actor: User | None = None,
) -> tuple[PatientLink, str]:
    """A new link; returns it and the token, which is never stored."""
    return links_create(purpose, [(patient, case_id, expires_at)], actor=actor)[0]


def links_create(
    purpose: LinkPurpose,
    specs: list[tuple[Patient, int | None, datetime]],
    *,
    actor: User | None = None,
    audit: list[AuditEntry] | None = None,
) -> list[tuple[PatientLink, str]]:
    """New links for (patient, case id, expires at) each, in one INSERT (a batch job's);
    returns (link, token) in the order given. Their audit entries are appended now, or, when
    the caller passes an `audit` list, added to it for the caller to append with its own
    entries in one go (`audit_record_many`) in the same transaction."""
    made = []
    for patient, case_id, expires_at in specs:
        token, token_sha256 = new_token()
        link = PatientLink(
            purpose=purpose,
            patient=patient,
            case_id=case_id,
            token_sha256=token_sha256,
            expires_at=expires_at,
        )
        made.append((link, token))
    links = [link for link, _ in made]
    if len(links) == 1:
        links[0].save(force_insert=True)
    else:
        bulk_insert(links)
    entries = [
        _audit_entry(link, "created", actor=actor, expires_at=link.expires_at.isoformat())
        for link in links
    ]
    if audit is None:
        audit_record_many(entries)
    else:
        audit.extend(entries)
    return made


def link_for_token(token: str, *, purpose: LinkPurpose) -> PatientLink | None:
    """The link of this purpose behind a token, or None (malformed or unknown)."""
    if not 20 <= len(token) <= 100:
        return None
    return (
        PatientLink.objects.select_related("patient")
        .filter(purpose=purpose, token_sha256=token_hash(token))
        .first()
    )


def link_closed_reason(link: PatientLink, *, now: datetime | None = None) -> str:
    """Why the link can no longer be used ('' while it is open). Locked wins: it is the one
    the patient must call about."""
    if link.locked_at is not None:
        return "locked"
    if link.revoked_at is not None:
        return "revoked"
    if link.is_expired(now):
        return "expired"
    return ""


def link_require_open(link: PatientLink) -> None:
    """Raise LinkClosedError (audited) for a locked, revoked or expired link."""
    reason = link_closed_reason(link)
    if reason:
        _audit(link, "refused", reason=reason)
        raise LinkClosedError(reason)


def link_revoke(*, link_id: int, actor: User | None, reason: str) -> PatientLink:
    """Withdraw a link (idempotent: a revoked link stays revoked as it was)."""
    with transaction.atomic():
        link = PatientLink.objects.select_for_update().get(pk=link_id)
        if link.revoked_at is None:
            link.revoked_at, link.revoked_by = timezone.now(), actor
            link.save(update_fields=["revoked_at", "revoked_by"])
            _audit(link, "revoked", actor=actor, reason=reason)
    return link


_on_locked: dict[str, Callable[[PatientLink], None]] = {}


def register_on_locked(key: str, handler: Callable[[PatientLink], None]) -> None:
    """`handler(link)` runs when a link locks after too many wrong dates of birth (the layer
    that knows whom to tell registers it: planning tells the case's physician and on-call)."""
    _on_locked[key] = handler


def link_dob_check(*, link_id: int, date_of_birth: date) -> DobResult:
    """Compare the date of birth under the link's row lock; count a failure, lock at the limit.

    A closed link is refused before comparing, so a locked link never confirms a guess."""
    limit = dob_limit()
    with transaction.atomic():
        link = PatientLink.objects.select_for_update().select_related("patient").get(pk=link_id)
        reason = link_closed_reason(link)
        if reason:
            _audit(link, "refused", reason=reason)
            return DobResult(False, max(0, limit - link.dob_failures), reason == "locked", reason)
        if link.patient.date_of_birth == date_of_birth:
            _audit(link, "dob_ok")
            return DobResult(True, limit - link.dob_failures, False)
        link.dob_failures += 1
        locked = link.dob_failures >= limit
        if locked:
            link.locked_at = timezone.now()
        link.save(update_fields=["dob_failures", "locked_at"])
        _audit(link, "dob_failed", failures=link.dob_failures, limit=limit)
        if locked:
            _audit(link, "locked", failures=link.dob_failures)
            for handler in _on_locked.values():
                handler(link)  # in the same transaction: a notice is queued with the lock
    return DobResult(False, max(0, limit - link.dob_failures), locked, "locked" if locked else "")


def _audit(link: PatientLink, event: str, *, actor: User | None = None, **data: Any) -> None:
    audit_record_many([_audit_entry(link, event, actor=actor, **data)])


def _audit_entry(
    link: PatientLink, event: str, *, actor: User | None = None, **data: Any
) -> AuditEntry:
    return audit_entry(
        action=f"{link.purpose}.link.{event}",
        actor=actor,
        actor_label="" if actor else f"patient via link ({link.patient.full_name})",
        case_id=link.case_id,
        patient_id=link.patient_id,
        target=link.audit_target,
        data=data,
    )
