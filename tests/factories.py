from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import factory
from factory.django import DjangoModelFactory

from core.models import Patient, User
from planning.pathway.models import Case

if TYPE_CHECKING:
    from planning.treatment.models import DosingPlan

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Given{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    given_name = factory.Sequence(lambda n: f"Alex{n}")
    family_name = "Example"
    date_of_birth = date(1985, 5, 20)
    mrn = factory.Sequence(lambda n: f"TEST-{n:05d}")
    email = factory.LazyAttribute(lambda p: f"{p.given_name.lower()}@example.invalid")


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    patient = factory.SubFactory(PatientFactory)


def satisfy_intake(case: Case, *steps: str) -> None:
    """Record the intake data the given steps' guards ask for (fictional, unremarkable)."""
    from django.contrib.auth.models import Group

    from demo.pathway import INTAKE_STEPS, record_demo_intake

    clinician = UserFactory()
    clinician.groups.add(Group.objects.get(name="clinician"))
    for step in steps or INTAKE_STEPS:
        record_demo_intake(case.pk, clinician=clinician, step=step)


def satisfy_guards(case: Case, transition: str) -> None:
    """Record whatever the transition's guards ask for, through the models (not the pages)."""
    from decimal import Decimal

    from django.utils import timezone

    from demo.pathway import INTAKE_STEPS
    from planning.treatment.models import ClinicProtocol, DosingPlan, EarlyCompletion

    if transition in INTAKE_STEPS:
        satisfy_intake(case, transition)
    elif transition in {"approve_plan", "complete_treatment"}:
        physician = UserFactory()
        DosingPlan.objects.create(
            case=case,
            protocol=ClinicProtocol.objects.get(route="iv"),
            route="iv",
            dose_mg=Decimal("35"),
            sessions=1,
            frequency="weekly",
            start_date=timezone.localdate(),
            monitoring_requirements="BP",
            cost_per_session_cents=0,
            total_cost_cents=0,
            created_by=physician,
            status=DosingPlan.Status.APPROVED,
            approved_by=physician,
            approved_at=timezone.now(),
        )
        if transition == "complete_treatment":
            EarlyCompletion.objects.create(case=case, reason="test", physician=physician)


def draft_plan(case: Case, physician: User) -> DosingPlan:
    """Write a standard IV plan draft through the service. The case needs an evaluation."""
    from decimal import Decimal

    from django.utils import timezone

    from planning.treatment.services import plans as plan_services

    return plan_services.plan_draft_save(
        case=case,
        actor=physician,
        data=plan_services.PlanInput(
            route="iv",
            dose_value=Decimal("0.5"),
            sessions=2,
            frequency="weekly",
            start_date=timezone.localdate(),
            monitoring_requirements="Per protocol",
            cost_per_session_cents=45000,
        ),
    )


def approve_plan(case: Case, physician: User) -> DosingPlan:
    """Write and approve a standard IV plan through the services (sessions and follow-ups get
    scheduled); the sealed PDF is not queued. The case needs an evaluation (`satisfy_intake`)."""
    from unittest import mock

    from planning.treatment.services import plans as plan_services

    plan = draft_plan(case, physician)
    with mock.patch("planning.treatment.services.plans._queue_plan_pdf"):
        return plan_services.plan_approve(
            case=case, plan_id=plan.pk, actor=physician, password=PASSWORD
        )
