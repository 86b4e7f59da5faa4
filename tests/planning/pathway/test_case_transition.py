"""Every (state, transition, role): allowed ones move the case and are audited; the others are
refused with the reason and change nothing. The expectations are written out by hand from
DOMAIN.md, not derived from the code under test."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, TransitionRefused, ValidationFailed
from core.models import AuditEntry
from core.roles import Role
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState as S
from tests.conftest import make_user
from tests.consent.helpers import consent_signed_for
from tests.factories import CaseFactory, satisfy_guards

NON_FINAL = {
    S.CONSULTATION,
    S.EVALUATION,
    S.MEDICATION_REVIEW,
    S.CONSENT_PENDING,
    S.PLAN_PENDING,
    S.ACTIVE,
    S.ON_HOLD,
}
PATHWAY = NON_FINAL - {S.ON_HOLD}
CLINICAL = {Role.CLINICIAN, Role.PHYSICIAN}

# transition -> (sources, target or None for "back to where it was", roles allowed on any case,
#                allowed for the patient on their own case, needs a reason)
EXPECTED: dict[str, tuple[set[str], str | None, set[Role], bool, bool]] = {
    "complete_consultation": ({S.CONSULTATION}, S.EVALUATION, CLINICAL, False, False),
    "complete_evaluation": ({S.EVALUATION}, S.MEDICATION_REVIEW, CLINICAL, False, False),
    "complete_medication_review": (
        {S.MEDICATION_REVIEW},
        S.CONSENT_PENDING,
        CLINICAL,
        False,
        False,
    ),
    "record_consent": ({S.CONSENT_PENDING}, S.PLAN_PENDING, CLINICAL, True, False),
    "approve_plan": ({S.PLAN_PENDING}, S.ACTIVE, {Role.PHYSICIAN}, False, False),
    "amend_plan": ({S.ACTIVE}, S.PLAN_PENDING, {Role.PHYSICIAN}, False, True),
    "require_reconsent": (
        {S.PLAN_PENDING, S.ACTIVE},
        S.CONSENT_PENDING,
        {Role.PHYSICIAN, Role.CLINIC_ADMIN},
        False,
        True,
    ),
    "complete_treatment": ({S.ACTIVE}, S.COMPLETED, CLINICAL, False, False),
    "hold": (
        PATHWAY,
        S.ON_HOLD,
        {Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN},
        False,
        True,
    ),
    "resume": (
        {S.ON_HOLD},
        None,
        {Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN},
        False,
        False,
    ),
    "withdraw": (
        NON_FINAL,
        S.WITHDRAWN,
        {Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN},
        True,
        True,
    ),
    "mark_ineligible": (NON_FINAL, S.INELIGIBLE, {Role.PHYSICIAN}, False, True),
}

HELD_FROM = S.EVALUATION


def _cases() -> list[tuple[str, str, Role]]:
    return [(state, name, role) for state in S.values for name in EXPECTED for role in Role]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "transition", "role"), _cases())
def test_transition_matrix(state: str, transition: str, role: Role) -> None:
    sources, target, roles, own_case_ok, needs_reason = EXPECTED[transition]
    actor = make_user(role)
    held_from = HELD_FROM if state == S.ON_HOLD else ""
    patient_kwargs = {"patient__user": actor} if role is Role.PATIENT else {}
    case = CaseFactory(state=state, held_from=held_from, **patient_kwargs)
    if state in sources:
        satisfy_guards(case, transition)
    if transition == "record_consent" and state in sources:
        consent_signed_for(case)
    audit_before = AuditEntry.objects.count()
    allowed_role = role in roles or (role is Role.PATIENT and own_case_ok)

    call = {
        "case_id": case.pk,
        "transition": transition,
        "actor": actor,
        "reason": "Because the test says so" if needs_reason else "",
    }
    if state not in sources:
        with pytest.raises(TransitionRefused, match="not possible"):
            case_transition(**call)
    elif not allowed_role:
        with pytest.raises(AccessDenied, match="may not"):
            case_transition(**call)
    else:
        result = case_transition(**call)
        assert result.state == (target or HELD_FROM)
        entry = AuditEntry.objects.latest("seq")
        assert entry.action == "case.transition"
        assert entry.data["from"] == state and entry.data["to"] == result.state
        assert entry.actor_id == actor.pk
        return
    assert Case.objects.get(pk=case.pk).state == state
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
@pytest.mark.parametrize("transition", [n for n, e in EXPECTED.items() if e[4]])
def test_reason_required(transition: str) -> None:
    sources = EXPECTED[transition][0]
    case = CaseFactory(state=sorted(sources)[0])
    actor = make_user(Role.PHYSICIAN)
    actor.groups.add(*make_user(Role.CLINIC_ADMIN).groups.all())
    with pytest.raises(ValidationFailed) as excinfo:
        case_transition(case_id=case.pk, transition=transition, actor=actor, reason="   ")
    assert "reason" in excinfo.value.fields
    assert Case.objects.get(pk=case.pk).state == case.state


@pytest.mark.django_db
def test_patient_cannot_withdraw_someone_elses_case() -> None:
    patient = make_user(Role.PATIENT)
    other = CaseFactory()
    with pytest.raises(AccessDenied):
        case_transition(case_id=other.pk, transition="withdraw", actor=patient, reason="x")
    assert Case.objects.get(pk=other.pk).state == S.CONSULTATION


@pytest.mark.django_db
def test_hold_and_resume_returns_to_the_state_it_left() -> None:
    actor = make_user(Role.CLINICIAN)
    case = CaseFactory(state=S.PLAN_PENDING)
    held = case_transition(case_id=case.pk, transition="hold", actor=actor, reason="Travel")
    assert (held.state, held.held_from) == (S.ON_HOLD, S.PLAN_PENDING)
    resumed = case_transition(case_id=case.pk, transition="resume", actor=actor)
    assert (resumed.state, resumed.held_from) == (S.PLAN_PENDING, "")


@pytest.mark.django_db
def test_unknown_transition_and_stale_expected_state_are_refused() -> None:
    from core.errors import CaseChanged

    actor = make_user(Role.PHYSICIAN)
    case = CaseFactory(state=S.EVALUATION)
    with pytest.raises(TransitionRefused, match="no step"):
        case_transition(case_id=case.pk, transition="launch_rocket", actor=actor)
    with pytest.raises(CaseChanged, match="Evaluation"):
        case_transition(
            case_id=case.pk,
            transition="complete_consultation",
            actor=actor,
            expected_state=S.CONSULTATION,
        )


@pytest.mark.django_db
def test_state_cannot_be_assigned_directly() -> None:
    case = CaseFactory()
    with pytest.raises(AttributeError):
        case.state = S.ACTIVE
