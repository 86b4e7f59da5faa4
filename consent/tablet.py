"""In-clinic signing on a clinic tablet, started by a staff member on that tablet.

The staff member, signed in on the tablet, presses "Sign on a clinic tablet" on the case page.
`tablet_start` opens a consent request of channel "tablet" whose link token is thrown away at
once (never stored, sent or shown) and a `TabletSession` bound to that browser session by the
hash of a random value only the session holds. From then on the session is in tablet mode
(`consent.tablet_mode`): the staff member's sign-in is hidden from every page, only the
signing pages of that one request answer, and the patient goes through the same pages as on
the phone (`consent.views`), date-of-birth check and lockout included (`core.links`).

A tablet session is used once and expires with its link (`TABLET_MINUTES`): once the patient
has signed or declined, or the time is up, the tablet only says "please hand the tablet back".
Leaving tablet mode takes the starting staff member's password (`tablet_end`); wrong passwords
count toward the account lockout like a failed e-signature.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from enum import StrEnum

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from consent import hooks, services
from consent.models import ConsentDocument, ConsentRequest, SigningChannel, TabletSession
from core import ratelimit
from core.audit import audit_record
from core.errors import AccessDenied, AccountLocked, NotFound, ValidationFailed
from core.links import link_create
from core.models import LinkPurpose, Patient, User
from core.tokens import token_hash

TABLET_MINUTES = 30
PERMISSION = "consent.start_tablet_signing"

LOCKED_MESSAGE = (
    "Too many wrong passwords: this account is locked for now and the tablet stays in tablet "
    "mode. Ask a clinic admin to lift the lockout."
)


class TabletState(StrEnum):
    ACTIVE = "active"  # the patient may confirm their date of birth, read and sign
    SIGNED = "signed"  # done: hand the tablet back
    DECLINED = "declined"  # the patient chose not to sign: hand the tablet back
    CLOSED = "closed"  # expired, locked, revoked or replaced: hand the tablet back


def tablet_state(tablet: TabletSession) -> TabletState:
    req = tablet.request
    if req.status == ConsentRequest.Status.SIGNED:
        return TabletState.SIGNED
    if req.status == ConsentRequest.Status.DECLINED:
        return TabletState.DECLINED
    if (
        tablet.ended_at is not None
        or tablet.is_expired()
        or req.status != ConsentRequest.Status.PENDING
        or req.locked_at is not None
    ):
        return TabletState.CLOSED
    return TabletState.ACTIVE


def _audit(
    tablet: TabletSession, action: str, *, actor: User | None = None, **data: object
) -> None:
    audit_record(
        action=action,
        actor=actor,
        actor_label="" if actor else "anonymous (clinic tablet)",
        case_id=tablet.case_id,
        patient_id=tablet.request.patient_id,
        target=tablet.request.audit_target,
        data={"tablet_session": tablet.pk, **data},
    )


def tablet_start(*, case_id: int, actor: User) -> tuple[TabletSession, str]:
    """Open in-clinic signing for a case at Consent pending; returns the session and the binding
    value that the starting browser session keeps (only its hash is stored).

    Like a new invitation, it revokes any open link of the case (one live request at a time),
    under the patient's row lock; an earlier tablet session of the case is closed with it."""
    if not actor.has_perm(PERMISSION):
        raise AccessDenied("Your role does not allow starting signing on a clinic tablet.")
    facts = hooks.case_facts(case_id)
    if facts is None:
        raise NotFound("No such case.")
    document = services.treatment_document()
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=facts.patient_id)
        facts = hooks.case_facts(case_id)  # read again under the lock
        if facts is None or not facts.awaiting_consent:
            label = facts.state_label if facts else "gone"
            raise ValidationFailed(
                {"case": f"The case is {label}; signing on a tablet is for Consent pending."}
            )
        _close_open(case_id, actor)
        tablet, binding = _open(case_id, patient, document, actor)
    return tablet, binding


def _close_open(case_id: int, actor: User) -> None:
    """Close the case's earlier tablet sessions, then revoke its open requests (tablet rows
    before request rows, the order `tablet_end` locks them in)."""
    earlier = TabletSession.objects.select_for_update().filter(
        case_id=case_id, ended_at__isnull=True
    )
    for old in earlier:
        old.ended_at, old.ended_by, old.end_reason = timezone.now(), actor, "replaced"
        old.save(update_fields=["ended_at", "ended_by", "end_reason"])
    for req in ConsentRequest.objects.select_for_update().filter(
        case_id=case_id, status=ConsentRequest.Status.PENDING
    ):
        services._revoke(req, actor, reason="replaced by signing on a clinic tablet")


def _open(
    case_id: int, patient: Patient, document: ConsentDocument, actor: User
) -> tuple[TabletSession, str]:
    expires_at = timezone.now() + timedelta(minutes=TABLET_MINUTES)
    link, _token = link_create(  # the token is dropped: the tablet reaches the request by session
        purpose=LinkPurpose.CONSENT,
        patient=patient,
        case_id=case_id,
        expires_at=expires_at,
        actor=actor,
    )
    req = ConsentRequest.objects.create(
        patient=patient,
        case_id=case_id,
        document=document,
        link=link,
        created_by=actor,
        channel=SigningChannel.TABLET,
    )
    binding = secrets.token_urlsafe(32)
    tablet = TabletSession.objects.create(
        request=req,
        case_id=case_id,
        started_by=actor,
        expires_at=expires_at,
        binding_sha256=token_hash(binding),
    )
    _audit(
        tablet,
        "consent.tablet.start",
        actor=actor,
        expires_at=expires_at.isoformat(),
        minutes=TABLET_MINUTES,
    )
    return tablet, binding


def tablet_for_session(*, tablet_id: object, binding: object, user: object) -> TabletSession | None:
    """The tablet session this browser session holds, if the binding value and the signed-in
    staff member both match (whatever its state: an ended session keeps the tablet in tablet
    mode until the staff member leaves it); None otherwise."""
    if not isinstance(tablet_id, int) or not isinstance(binding, str) or not binding:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    tablet = (
        TabletSession.objects.select_related("request__patient", "request__link", "started_by")
        .filter(pk=tablet_id)
        .first()
    )
    if tablet is None or tablet.started_by_id != getattr(user, "pk", None):
        return None
    if not hmac.compare_digest(tablet.binding_sha256, token_hash(binding)):
        return None
    return tablet


def tablet_refused(*, tablet: TabletSession, path: str) -> None:
    """A page outside the signing pages was asked for in tablet mode (audited, nothing shown)."""
    _audit(tablet, "consent.tablet.refused", path=path[:200])


def tablet_end(
    *, tablet_id: int, actor: User, password: str, request: HttpRequest
) -> TabletSession:
    """Leave tablet mode: only the staff member who started it, with their password. An unsigned
    request is revoked (the tablet session is single-use). `request` is the HTTP request, for
    the failed-attempt counter of its address (as in `core.esign`)."""
    tablet = TabletSession.objects.select_related("request").filter(pk=tablet_id).first()
    if tablet is None:
        raise NotFound("No such tablet session.")
    if tablet.started_by_id != actor.pk:
        raise AccessDenied("Only the staff member who started tablet mode can leave it.")
    _check_password(tablet, actor, password, request)
    with transaction.atomic():
        tablet = TabletSession.objects.select_for_update().get(pk=tablet_id)
        locked = ConsentRequest.objects.select_for_update().select_related("patient", "link")
        req = locked.get(pk=tablet.request_id)
        tablet.request = req
        state = tablet_state(tablet)
        if req.status == ConsentRequest.Status.PENDING:
            services._revoke(req, actor, reason="tablet mode ended before signing")
        if tablet.ended_at is None:
            tablet.ended_at, tablet.ended_by = timezone.now(), actor
            tablet.end_reason = _end_reason(state, tablet)
            tablet.save(update_fields=["ended_at", "ended_by", "end_reason"])
        _audit(tablet, "consent.tablet.end", actor=actor, reason=tablet.end_reason)
    return tablet


def _end_reason(state: TabletState, tablet: TabletSession) -> str:
    if state is TabletState.SIGNED:
        return "signed"
    if state is TabletState.DECLINED:
        return "declined"
    if tablet.request.locked_at is not None:
        return "locked after wrong dates of birth"
    if tablet.is_expired():
        return "expired"
    return "left before signing" if state is TabletState.ACTIVE else "closed"


def _check_password(
    tablet: TabletSession, actor: User, password: str, request: HttpRequest
) -> None:
    """Refuse (audited, counted toward the lockout) unless the password is right; outside the
    transaction, so the refusal stays recorded."""
    if ratelimit.account_locked(actor.username):
        _audit(tablet, "consent.tablet.exit_refused", actor=actor, reason="account locked")
        raise AccountLocked(LOCKED_MESSAGE)
    if password and actor.check_password(password):
        ratelimit.reset_esign(actor.username)
        return
    ratelimit.register_esign_failure(request, actor.username)
    _audit(tablet, "consent.tablet.exit_refused", actor=actor, reason="wrong password")
    if ratelimit.account_locked(actor.username):
        raise AccountLocked(LOCKED_MESSAGE)
    raise ValidationFailed(
        {"password": "The password is not correct. The tablet stays in tablet mode."}
    )
