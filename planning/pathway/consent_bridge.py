"""How the care pathway reacts to consent events (consent never imports planning).

Registered once at start-up by `PlanningConfig.ready()`:

- a case lookup, so consent can check a case's patient and whether it awaits consent;
- signing -> `record_consent`, declining -> `withdraw`, a patient's withdrawal -> `withdraw`,
  each inside the consent service's transaction (a refused transition rolls the signature
  back and the patient is told why);
- publishing a material version -> every plan_pending/active case whose latest signature is of
  an older version goes back to consent_pending with a new invitation (re-consent);
- the guard on `record_consent`: a signature of the current published version must exist, and
  when its document required a countersignature (witness or clinician), the countersignature
  too; a signature awaiting one does not move the case, its countersignature does
  (`consent.countersign`, under the case lock registered here).
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q

from consent import hooks as consent_hooks
from consent import selectors as consent_selectors
from consent import services as consent_services
from consent.hooks import CaseFacts
from consent.models import (
    ConsentCountersignature,
    ConsentRequest,
    ConsentSignature,
    ConsentVersion,
    ConsentWithdrawal,
)
from consent.selectors import latest_signature_version_by_case, treatment_version
from core.dates import clinic_language
from core.links import register_on_locked
from core.models import LinkPurpose, PatientLink, User
from planning.pathway import hooks, next_step, services, workflow
from planning.pathway.models import Case
from planning.pathway.notify import notify_staff
from planning.pathway.snapshot import CaseSnapshot
from planning.pathway.states import CaseState, state_label

SYSTEM_USERNAME = "system.consent"
_SYSTEM_PERMS = ("record_consent", "withdraw_case", "require_reconsent")


def system_actor() -> User:
    """The account that performs transitions caused by a signing link when the patient has no
    login: it cannot sign in (no usable password) and holds only the three perms it needs."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Pathway", "last_name": "(consent link)", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        perms = Permission.objects.filter(
            content_type__app_label="planning", codename__in=_SYSTEM_PERMS
        )
        user.user_permissions.set(perms)
    return user


def _actor_for(patient_user: User | None) -> User:
    return patient_user if patient_user is not None and patient_user.is_active else system_actor()


def case_facts(case_id: int) -> CaseFacts | None:
    case = Case.objects.filter(pk=case_id).only("pk", "patient_id", "state").first()
    if case is None:
        return None
    return CaseFacts(
        case_id=case.pk,
        patient_id=case.patient_id,
        awaiting_consent=case.state == CaseState.CONSENT_PENDING,
        state_label=state_label(case.state),
    )


def on_signed(signature: ConsentSignature, patient_user: User | None) -> None:
    if consent_services.awaiting_countersignature(signature):
        _notify_countersign_due(signature)
        return
    services.case_transition(
        case_id=signature.case_id,
        transition="record_consent",
        actor=_actor_for(patient_user),
        reason=f"Signed consent {signature.version.label} (signature #{signature.pk})",
    )


def on_countersigned(countersignature: ConsentCountersignature, staff: User) -> None:
    """The countersignature completes the consent: the case moves on, in its transaction."""
    signature = countersignature.signature
    actor = staff if staff.has_perm("planning.record_consent") else system_actor()
    services.case_transition(
        case_id=signature.case_id,
        transition="record_consent",
        actor=actor,
        reason=(
            f"Signed consent {signature.version.label} (signature #{signature.pk}), "
            f"countersigned by the {countersignature.kind} (countersignature "
            f"#{countersignature.pk})"
        ),
    )


def _notify_countersign_due(signature: ConsentSignature) -> None:
    case = Case.objects.select_related("physician").filter(pk=signature.case_id).first()
    if case is None:
        return
    who = signature.get_countersignature_required_display().split(" (")[0].lower()
    notify_staff(
        case=case,
        subject="A signed consent awaits its countersignature",
        body=(
            f"Case #{case.pk}: the consent was signed; it is complete once countersigned in the "
            f"clinic ({who}). Open the case page to countersign."
        ),
    )


def _lock_case(case_id: int) -> None:
    services.case_lock(case_id)


def on_declined(request: ConsentRequest, patient_user: User | None) -> None:
    why = request.decline_reason or "no reason given"
    services.case_transition(
        case_id=request.case_id,
        transition="withdraw",
        actor=_actor_for(patient_user),
        reason=f"Patient declined to sign the consent document: {why}",
    )


def on_withdrawn(withdrawal: ConsentWithdrawal, actor: User) -> None:
    by_patient = actor.pk is not None and actor.pk == withdrawal.patient.user_id
    who = (
        "Patient withdrew consent"
        if by_patient
        else (f"Consent withdrawal recorded by {actor.display_name}")
    )
    services.case_transition(
        case_id=withdrawal.case_id,
        transition="withdraw",
        actor=actor,
        reason=f"{who}: {withdrawal.reason}",
    )


def unwithdrawn_signature(
    case_id: int, version: ConsentVersion | None = None
) -> ConsentSignature | None:
    """The case's latest signature (of `version`, if given), unless a withdrawal followed it."""
    signatures = ConsentSignature.objects.filter(case_id=case_id)
    if version is not None:
        signatures = signatures.filter(version=version)
    signature = signatures.order_by("-signed_at", "-pk").first()
    if signature is None:
        return None
    withdrawn = ConsentWithdrawal.objects.filter(case_id=case_id).filter(
        Q(signature=signature) | Q(withdrawn_at__gte=signature.signed_at)
    )
    return None if withdrawn.exists() else signature


def withdraw_through_consent(case: Case, actor: User, reason: str) -> bool:
    """A withdrawal of a case with a standing consent signature goes through consent's
    withdrawal service, so staff and patient withdrawals leave the same record (the service's
    hook then performs the transition). False when there is no signature to withdraw."""
    if unwithdrawn_signature(case.pk) is None:
        return False
    consent_services.consent_withdraw(
        patient=case.patient, case_id=case.pk, reason=reason, actor=actor
    )
    return True


def on_published(version: ConsentVersion, actor: User) -> None:
    """Re-consent after a material change; a minor version changes no case."""
    if not version.material_change:
        return
    cases = list(
        Case.objects.filter(state__in=[CaseState.PLAN_PENDING, CaseState.ACTIVE]).values_list(
            "pk", flat=True
        )
    )
    latest = latest_signature_version_by_case(cases)
    older = ConsentVersion.objects.filter(document=version.document, source_version=None)
    older = older.exclude(pk=version.pk)
    older_ids = set(older.values_list("pk", flat=True))
    transition_actor = actor if actor.has_perm("planning.require_reconsent") else system_actor()
    for case_id in sorted(c for c in cases if latest.get(c) in older_ids):
        services.case_transition(
            case_id=case_id,
            transition="require_reconsent",
            actor=transition_actor,
            reason=f"Consent document {version.label} changed materially: consent again.",
        )
        consent_services.consent_request_create(case_id=case_id, actor=actor, reconsent=True)


def has_current_signature(case: Case) -> list[str]:
    version = treatment_version()
    if version is None:
        return ["a published consent document"]
    signed = (
        ConsentSignature.objects.filter(case_id=case.pk)
        .filter(Q(version=version) | Q(version__source_version=version))
        .exists()
    )
    if not signed:
        return [f"the patient's signature on the current consent document ({version.label})"]
    awaiting = [
        s
        for s in ConsentSignature.objects.filter(case_id=case.pk)
        .filter(Q(version=version) | Q(version__source_version=version))
        .order_by("-signed_at", "-pk")[:1]
        if consent_services.awaiting_countersignature(s)
    ]
    if awaiting:
        kind = awaiting[0].countersignature_required
        return [f"the {kind}'s countersignature of the signed consent"]
    return []


def notify_link_locked(link: PatientLink) -> None:
    """A consent or questionnaire link of a case locked: the case's physician and on-call are
    told (the patient may need a call)."""
    from planning.pathway.notify import notify_staff

    case = Case.objects.select_related("physician").filter(pk=link.case_id).first()
    if case is None:
        return
    what = "consent signing" if link.purpose == LinkPurpose.CONSENT else "questionnaire"
    notify_staff(
        case=case,
        subject=f"A patient's {what} link locked",
        body=f"The {what} link of case #{case.pk} locked after too many wrong dates of birth.",
    )


def register() -> None:
    register_on_locked("planning.notify", notify_link_locked)
    consent_services.register_case_lookup(case_facts)
    consent_hooks.register_case_lock(_lock_case)
    consent_hooks.register_on_countersigned(on_countersigned)
    consent_services.register_on_signed(on_signed)
    consent_services.register_on_declined(on_declined)
    consent_services.register_on_withdrawn(on_withdrawn)
    consent_services.register_on_published(on_published)
    workflow.register_guard("record_consent", has_current_signature)
    hooks.register_on_transitioned("pathway.notify_withdrawn", _notify_withdrawn)
    hooks.register_case_panel(
        hooks.CasePanel(
            key="consent",
            template="consent/_case_panel.html",
            order=20,
            context=_consent_context,
        )
    )
    next_step.register_step(CaseState.CONSENT_PENDING, "consent.invitation", consent_step)


def consent_panel_of(snapshot: CaseSnapshot) -> consent_selectors.CasePanel:
    """The consent panel's reads (the current document, the newest invitations with their
    signatures, the open paper-copy tasks), once per request for the panel and the next step."""
    return snapshot.once(
        "consent.panel",
        lambda case: consent_selectors.case_panel(case.pk, records=snapshot.records),
    )


def consent_step(snapshot: CaseSnapshot) -> next_step.NextStep | None:
    """Send the invitation, or wait for the patient to sign the one sent."""
    from django.urls import reverse

    from core.access import get_action
    from core.dates import day

    case, user = snapshot.case, snapshot.user
    panel = consent_panel_of(snapshot)
    if panel.version is None:
        return next_step.NextStep(
            title="Publish a consent document", waiting_on="a clinic administrator"
        )
    latest_row = panel.rows[0] if panel.rows else None  # newest first
    latest = latest_row.request if latest_row is not None else None
    if latest_row is not None and latest_row.request.status == ConsentRequest.Status.SIGNED:
        return _countersign_step(latest_row.signature, user)
    may_invite = get_action("consent.invite").allows_any(user)
    invite = reverse("consent_invite", args=[case.pk])
    if latest is not None and latest.status == ConsentRequest.Status.PENDING:
        if latest.locked_at is None and not latest.is_expired():
            sent = day(latest.created_at)
            return next_step.NextStep(
                title=f"Waiting for the patient to sign the consent sent on {sent}",
                waiting_on=next_step.PATIENT,
                detail=f"The link is valid until {day(latest.expires_at)}.",
            )
        why = "locked after wrong dates of birth" if latest.locked_at else "expired"
        return next_step.NextStep(
            title="Send a new consent invitation",
            waiting_on=next_step.ADMIN,
            can_act=may_invite,
            post_url=invite,
            detail=f"The link sent on {day(latest.created_at)} {why}.",
        )
    return next_step.NextStep(
        title="Send the consent invitation",
        waiting_on=next_step.ADMIN,
        can_act=may_invite,
        post_url=invite,
        detail=""
        if latest is None
        else f"The last invitation was {latest.get_status_display().lower()}.",
    )


def _countersign_step(signature: ConsentSignature | None, user: User) -> next_step.NextStep | None:
    """`signature`: the signed request's signature, if any."""
    from django.urls import reverse

    from core.access import get_action

    if signature is None or not consent_services.awaiting_countersignature(signature):
        return None
    kind = signature.countersignature_required
    action = get_action(f"consent.countersign_{kind}")
    return next_step.NextStep(
        title=(
            "Countersign the signed consent (clinician e-signature)"
            if kind == "clinician"
            else "Capture the witness's countersignature in the clinic"
        ),
        waiting_on=next_step.NURSE if kind == "clinician" else next_step.ADMIN,
        can_act=action.allows_any(user),
        href=reverse(f"consent_countersign_{kind}", args=[signature.pk]),
        detail="The consent is complete, and the case moves on, once it is countersigned.",
    )


def _notify_withdrawn(case: Case, source: str, target: str, actor: User) -> None:
    if target == CaseState.WITHDRAWN:
        # For staff, in the clinic's language, even when a patient withdrew in theirs.
        with clinic_language():
            body = f"The case was withdrawn (from {state_label(source)}) by {actor.display_name}."
        notify_staff(case=case, subject="Case withdrawn", body=body)


def _consent_context(request: object, snapshot: CaseSnapshot) -> dict[str, object]:
    return {"consent_panel": consent_panel_of(snapshot)}
