"""Intake and plan writes read the case's state from the locked row, not from the caller's
instance: a case withdrawn after the page was loaded takes no more writes (check, then act)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import TransitionRefused, ValidationFailed
from core.roles import Role
from planning.intake.services import consultation_record, medication_add
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from planning.treatment.services.plans import PlanInput, plan_draft_save
from tests.conftest import make_user
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _stale_then_withdrawn(state: str) -> Case:
    case = CaseFactory(state=state)
    stale = Case.objects.get(pk=case.pk)  # the instance a page loaded earlier
    case_transition(
        case_id=case.pk, transition="withdraw", actor=make_user(Role.ADMIN_STAFF), reason="x"
    )
    assert stale.state == state  # the caller still believes the case is open
    return stale


def test_consultation_refused_on_a_case_withdrawn_meanwhile() -> None:
    stale = _stale_then_withdrawn(CaseState.CONSULTATION)
    with pytest.raises(ValidationFailed, match="closed"):
        consultation_record(
            case=stale,
            actor=make_user(Role.CLINICIAN),
            presenting_symptoms="low mood",
            symptom_duration_months=12,
        )
    assert not stale.consultations.exists()


def test_medication_refused_on_a_case_withdrawn_meanwhile() -> None:
    stale = _stale_then_withdrawn(CaseState.MEDICATION_REVIEW)
    with pytest.raises(ValidationFailed, match="closed"):
        medication_add(
            case=stale,
            actor=make_user(Role.CLINICIAN),
            name="sertraline",
            dose="50 mg",
            frequency="daily",
            kind="medication",
        )
    assert not stale.medications.exists()


def test_plan_draft_refused_on_a_case_withdrawn_meanwhile() -> None:
    stale = _stale_then_withdrawn(CaseState.PLAN_PENDING)
    data = PlanInput(
        route="iv",
        dose_value=Decimal("0.5"),
        sessions=6,
        frequency="twice weekly",
        start_date=timezone.localdate() + timedelta(days=1),
    )
    with pytest.raises(TransitionRefused, match="waiting"):
        plan_draft_save(case=stale, actor=make_user(Role.PHYSICIAN), data=data)
    assert not stale.plans.exists()
