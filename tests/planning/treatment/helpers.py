"""Shared set-up for treatment tests: an active case resting on a real consent signature and an
approved plan, and a session run through the services (pre-dose, dose, vitals, monitoring)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.services import plans as plan_services
from planning.treatment.services import sessions as session_services
from planning.treatment.services.sessions import CADSS_ITEMS, Discharge, DosingRecord, PreDose
from tests.consent.helpers import consent_signed_for
from tests.factories import CaseFactory, satisfy_intake
from tests.support.esign import esign


def approve(case: Case, physician, plan) -> None:  # type: ignore[no-untyped-def]
    with mock.patch("planning.treatment.services.plans._queue_plan_pdf"):
        plan_services.plan_approve(
            case=case, plan_id=plan.pk, actor=physician, signature=esign(physician)
        )


def active_case(physician, route="iv", dose="0.5", sessions=2, frequency="weekly", **patient):  # type: ignore[no-untyped-def]
    patient = {"sex_at_birth": "male", **patient}
    case = CaseFactory(
        state=CaseState.PLAN_PENDING, **{f"patient__{k}": v for k, v in patient.items()}
    )
    satisfy_intake(case, "complete_evaluation")
    consent_signed_for(case)
    plan = plan_services.plan_draft_save(
        case=case,
        actor=physician,
        data=plan_services.PlanInput(
            route=route,
            dose_value=Decimal(dose),
            sessions=sessions,
            frequency=frequency,
            start_date=timezone.localdate(),
            monitoring_requirements="Per protocol",
            cost_per_session_cents=45000,
        ),
    )
    approve(case, physician, plan)
    return Case.objects.get(pk=case.pk)


def predose(case, clinician, session, *, bp=(126, 80), escort=True, meds="", pregnancy=""):  # type: ignore[no-untyped-def]
    return session_services.session_predose_record(
        case=case,
        session_id=session.pk,
        actor=clinician,
        data=PreDose(
            pre_systolic=bp[0],
            pre_diastolic=bp[1],
            pre_heart_rate=72,
            pre_spo2=98,
            escort_confirmed=escort,
            last_meal_at=timezone.now() - timedelta(hours=3),
            new_medications=meds,
            pregnancy_status=pregnancy,
        ),
    )


def next_session(case):  # type: ignore[no-untyped-def]
    return case.sessions.filter(status="scheduled").order_by("number").first()


def run_session(case, clinician, *, minutes=95, bp=(128, 80), devices=None, dose="36.25"):  # type: ignore[no-untyped-def]
    session = next_session(case)
    start = timezone.now() - timedelta(minutes=minutes)
    predose(case, clinician, session)
    session_services.session_record_dosing(
        case=case,
        session_id=session.pk,
        actor=clinician,
        data=DosingRecord(start, Decimal(dose), "LOT-42", devices),
    )
    for minute, systolic in ((40, bp[0] + 4), (minutes - 5, bp[0])):
        session_services.session_vitals_add(
            case=case,
            session_id=session.pk,
            actor=clinician,
            minute=minute,
            systolic_bp=systolic,
            diastolic_bp=bp[1],
            heart_rate=80,
        )
    session_services.session_monitoring(
        case=case,
        session_id=session.pk,
        actor=clinician,
        moaas=5,
        cadss=dict.fromkeys(CADSS_ITEMS, 1),
    )
    return session, start


def discharge(start, minutes, *, bp=(128, 80), escort=True) -> Discharge:  # type: ignore[no-untyped-def]
    return Discharge(
        discharged_at=start + timedelta(minutes=minutes),
        discharge_systolic=bp[0],
        discharge_diastolic=bp[1],
        discharge_heart_rate=76,
        vitals_acceptable=True,
        alert=True,
        escort_confirmed=escort,
    )
