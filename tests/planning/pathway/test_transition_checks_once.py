"""A transition runs its guards once and checks its permission once, under the row lock."""

from __future__ import annotations

import pytest

from core.models import User
from core.roles import Role
from planning.pathway import workflow
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_guards_run_once_and_permission_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counting_guard(case: Case) -> list[str]:
        calls.append(case.pk)
        return []

    monkeypatch.setitem(workflow._GUARDS, "hold", [*workflow._GUARDS["hold"], counting_guard])
    nurse = make_user(Role.CLINICIAN)
    checked: list[str] = []
    original = User.has_perm

    def counting_has_perm(self: User, perm: str, obj: object = None) -> bool:
        if perm == "planning.hold_case":
            checked.append(perm)
        return original(self, perm, obj)

    monkeypatch.setattr(User, "has_perm", counting_has_perm)
    case = CaseFactory(state=CaseState.EVALUATION)
    case_transition(case_id=case.pk, transition="hold", actor=nurse, reason="travel")
    assert Case.objects.get(pk=case.pk).state == CaseState.ON_HOLD
    assert calls == [case.pk]
    assert checked == ["planning.hold_case"]


def test_the_fsm_condition_still_guards_a_direct_call() -> None:
    """Outside the service (no mark on the instance) the django-fsm condition runs the guards."""
    case = CaseFactory(state=CaseState.CONSULTATION)
    assert workflow.missing_for(case, "complete_consultation")
    from django_fsm import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        case.complete_consultation()
