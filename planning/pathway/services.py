"""Every write to a case: opening it and moving it through the pathway."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from core.audit import audit_record
from core.errors import AccessDenied, CaseChanged, NotFound, TransitionRefused, ValidationFailed
from core.models import MessageChannel, Patient, User
from core.timeline import may_read_clinical
from core.validators import check_text, validate_birth_date
from planning.pathway import hooks, selectors, workflow
from planning.pathway.audit import audit_case
from planning.pathway.models import Case
from planning.pathway.names import name_problem, normalise_name
from planning.pathway.states import FINAL_STATES, state_label


def case_transition(
    *,
    case_id: int,
    transition: str,
    actor: User,
    reason: str = "",
    expected_state: str | None = None,
) -> Case:
    """Perform one transition under a row lock: refuse with the reason, or record and save.

    `expected_state` is the state the actor saw; if the case moved since, nothing happens and
    CaseChanged says so (two people deciding at once: exactly one wins).
    """
    spec = workflow.TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(f"There is no step called {transition!r}.")
    reason = reason.strip()
    if spec.requires_reason and not reason:
        raise ValidationFailed({"reason": f"Please give a reason to {spec.label.lower()}."})
    with transaction.atomic():
        case = case_lock(case_id)
        _check_transition(case, spec, actor, expected_state)
        if transition == "withdraw" and _withdrawn_through_consent(case, actor, reason):
            return case_lock(case_id)
        from_state = case.state
        setattr(case, workflow.GUARDS_PASSED, transition)
        try:
            getattr(case, transition)(reason=reason)
        finally:
            delattr(case, workflow.GUARDS_PASSED)
        case.state_changed_at = timezone.now()
        try:
            case.save()
        except ConcurrentTransition as exc:
            raise CaseChanged("The case changed while you were deciding. Reload it.") from exc
        hooks.transitioned(case, from_state, case.state, actor)
        audit_case(
            action="case.transition",
            actor=actor,
            case=case,
            target=f"case:{case.pk}",
            data={
                "transition": transition,
                "from": from_state,
                "to": case.state,
                "reason": reason,
                # Who may read the reason (planning.pathway.wording.reason_is_clinical).
                "reason_clinical": bool(reason) and may_read_clinical(actor),
            },
        )
    return case


def _withdrawn_through_consent(case: Case, actor: User, reason: str) -> bool:
    from planning.pathway.consent_bridge import withdraw_through_consent

    return withdraw_through_consent(case, actor, reason)


def case_lock(case_id: int) -> Case:
    """The case's row, locked until the end of the caller's transaction (call inside
    `transaction.atomic()`). Every write that depends on the case's state reads it from here."""
    if not transaction.get_connection().in_atomic_block:
        # SQLite ignores FOR UPDATE, PostgreSQL refuses it outside a transaction: fail the same
        # way on both, so a lock taken in the wrong place is caught by the SQLite suite too.
        raise RuntimeError("case_lock() must be called inside transaction.atomic()")
    try:
        case: Case = Case.objects.select_for_update().select_related("patient").get(pk=case_id)
    except Case.DoesNotExist as exc:
        raise NotFound("No such case.") from exc
    return case


def _check_transition(
    case: Case, spec: workflow.TransitionSpec, actor: User, expected_state: str | None
) -> None:
    if expected_state and case.state != expected_state:
        raise CaseChanged(
            f"The case changed while you were looking at it: it is now "
            f"{state_label(case.state)}. Reload the page and decide again."
        )
    method = getattr(case, spec.name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionRefused(
            f"“{spec.label}” is not possible while the case is {state_label(case.state)}."
        )
    # The one permission check: the same callable is the transition's django-fsm `permission=`.
    if not workflow.permission_for(spec.name)(case, actor):
        raise AccessDenied(f"Your role may not “{spec.label.lower()}”.")
    missing = workflow.missing_for(case, spec.name)  # the one run of the guards
    if missing:
        raise TransitionRefused(
            f"“{spec.label}” needs: " + "; ".join(missing) + ".", details={"missing": missing}
        )


def available_transitions(case: Case, user: User) -> list[workflow.TransitionSpec]:
    """The steps this user may take on this case right now (used to draw buttons)."""
    return [
        spec
        for name, spec in workflow.TRANSITIONS.items()
        if can_proceed(getattr(case, name), check_conditions=False)
        and workflow.permission_for(name)(case, user)
    ]


def patient_create(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    mrn: str,
    email: str = "",
    phone: str = "",
    sex_at_birth: str = "",
    contact_channel: str = "",
    preferred_language: str = "",
    actor: User,
    confirm_duplicate: bool = False,
) -> Patient:
    """Register a patient. One with the same name and date of birth may be the same person
    registered before: refused (`confirm_duplicate` field) unless the actor confirmed that
    this is someone else."""
    texts = {"given_name": given_name, "family_name": family_name, "mrn": mrn, "email": email}
    _check_patient_input(date_of_birth=date_of_birth, phone=phone, **texts)
    if Patient.objects.filter(mrn__iexact=mrn.strip()).exists():
        raise ValidationFailed({"mrn": "A patient with this record number already exists."})
    given_name, family_name = normalise_name(given_name), normalise_name(family_name)
    problems = {
        field: problem
        for field, value in (("given_name", given_name), ("family_name", family_name))
        if (problem := name_problem(value))
    }
    if problems:
        raise ValidationFailed(problems)
    same = selectors.patients_like(given_name, family_name, date_of_birth)
    if same and not confirm_duplicate:
        who = "; ".join(f"{p.full_name}, record {p.mrn}" for p in same)
        raise ValidationFailed(
            {
                "confirm_duplicate": (
                    f"A patient with this name and date of birth is already registered ({who}). "
                    "Choose them above, or confirm that this is a different person."
                )
            }
        )
    patient = Patient.objects.create(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        mrn=mrn.strip(),
        email=email.strip(),
        phone=phone.strip(),
        sex_at_birth=sex_at_birth or "unknown",
        contact_channel=contact_channel or MessageChannel.EMAIL,
        preferred_language=preferred_language or "en",
    )
    audit_record(
        action="patient.create", actor=actor, patient_id=patient.pk, target=f"patient:{patient.pk}"
    )
    return patient


def _column_length(name: str) -> int:
    column = Patient._meta.get_field(name)
    return int(getattr(column, "max_length", 0) or 0)


def _check_patient_input(*, date_of_birth: date, **text: str) -> None:
    """Callers other than the form (the FHIR import) get the same bounds: each text within
    its column, a plausible date of birth."""
    check_text(**{name: (value, _column_length(name)) for name, value in text.items()})
    try:
        validate_birth_date(date_of_birth)
    except DjangoValidationError as exc:
        raise ValidationFailed({"date_of_birth": " ".join(exc.messages)}) from None


def case_open(*, patient: Patient, actor: User, physician: User | None = None) -> Case:
    """Open a case at consultation. A patient has at most one open case at a time."""
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        open_case = patient.cases.exclude(state__in=FINAL_STATES).first()
        if open_case is not None:
            raise ValidationFailed(
                {"patient": f"{patient.full_name} already has an open case (#{open_case.pk})."}
            )
        case: Case = Case.objects.create(patient=patient, physician=physician, opened_by=actor)
        audit_case(
            action="case.open",
            actor=actor,
            case=case,
            target=f"case:{case.pk}",
            data={"state": case.state, "physician_id": physician.pk if physician else None},
        )
    return case


def case_open_for(
    *,
    actor: User,
    existing_patient: Patient | None = None,
    physician: User | None = None,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    mrn: str = "",
    email: str = "",
    phone: str = "",
    sex_at_birth: str = "",
    contact_channel: str = "",
    confirm_duplicate: bool = False,
    preferred_language: str = "",
) -> Case:
    """Open a case for an existing patient, or register the patient and open it in one step."""
    with transaction.atomic():
        patient = existing_patient
        if patient is None:
            if date_of_birth is None:
                raise ValidationFailed({"date_of_birth": "The date of birth is required."})
            patient = patient_create(
                given_name=given_name,
                family_name=family_name,
                date_of_birth=date_of_birth,
                mrn=mrn,
                email=email,
                phone=phone,
                sex_at_birth=sex_at_birth,
                contact_channel=contact_channel,
                preferred_language=preferred_language,
                actor=actor,
                confirm_duplicate=confirm_duplicate,
            )
        case: Case = case_open(patient=patient, actor=actor, physician=physician)
    return case
