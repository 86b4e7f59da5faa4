"""Treatment sessions: monitoring, discharge rules, sign-off, the REMS form, completion."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import TransitionRefused, ValidationFailed
from core.models import ClinicSettings
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from planning.treatment.models import TreatmentSession
from planning.treatment.services import sessions as session_services
from planning.treatment.services.sessions import DosingRecord
from records.render import pdf_text
from tests.planning.treatment.helpers import active_case, discharge, run_session

pytestmark = pytest.mark.django_db


def test_routine_session_is_signed_off_and_becomes_a_record(physician, clinician) -> None:
    case = active_case(physician)
    session, start = run_session(case, clinician)
    done = session_services.session_sign_off(
        case=case, session_id=session.pk, actor=clinician, discharge=discharge(start, 95)
    )
    assert done.status == "signed_off" and done.rems_due_at is None
    with pytest.raises(ValidationFailed, match="record"):
        session_services.session_vitals_add(
            case=case,
            session_id=session.pk,
            actor=clinician,
            minute=100,
            systolic_bp=120,
            diastolic_bp=80,
            heart_rate=70,
        )


@pytest.mark.parametrize(
    ("minutes", "bp", "concern"),
    [(60, (128, 80), "before the protocol's 90 minutes"), (95, (162, 96), "above the clinic")],
)
def test_early_or_hypertensive_discharge_needs_a_physician_note(
    physician, clinician, minutes, bp, concern
) -> None:
    case = active_case(physician)
    session, start = run_session(case, clinician, minutes=minutes, bp=bp)
    with pytest.raises(ValidationFailed) as refused:
        session_services.session_sign_off(
            case=case,
            session_id=session.pk,
            actor=clinician,
            discharge=discharge(start, minutes, bp=bp),
        )
    assert concern in refused.value.fields["physician_note"]
    assert TreatmentSession.objects.get(pk=session.pk).status == "scheduled"
    with pytest.raises(Exception, match="Only a physician"):
        session_services.session_physician_note(
            case=case, session_id=session.pk, actor=clinician, note="fine"
        )
    session_services.session_physician_note(
        case=case, session_id=session.pk, actor=physician, note="Reviewed; stable, escort present."
    )
    done = session_services.session_sign_off(
        case=case,
        session_id=session.pk,
        actor=clinician,
        discharge=discharge(start, minutes, bp=bp),
    )
    assert done.status == "signed_off"


def test_missing_escort_needs_a_note(physician, clinician) -> None:
    case = active_case(physician)
    session, start = run_session(case, clinician)
    with pytest.raises(ValidationFailed, match="no escort"):
        session_services.session_sign_off(
            case=case,
            session_id=session.pk,
            actor=clinician,
            discharge=discharge(start, 95, escort=False),
        )


def test_esketamine_session_has_a_rems_form_due_in_seven_days(
    physician, clinician, sealing
) -> None:
    case = active_case(
        physician, route="intranasal_esketamine", dose="56", frequency="twice weekly (weeks 1-4)"
    )
    session = case.sessions.order_by("number").first()
    with pytest.raises(ValidationFailed, match="devices"):
        session_services.session_record_dosing(
            case=case,
            session_id=session.pk,
            actor=clinician,
            data=DosingRecord(timezone.now(), Decimal("56"), "L1", None),
        )
    session, start = run_session(case, clinician, minutes=125, devices=2, dose="56")
    done = session_services.session_sign_off(
        case=case, session_id=session.pk, actor=clinician, discharge=discharge(start, 125)
    )
    assert done.rems_due_at == start + timedelta(days=7)
    client = Client()
    client.force_login(clinician)
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "due " in page
    case.patient.sex_at_birth = "female"
    case.patient.save()
    pdf = client.get(reverse("treatment:rems_pdf", args=[case.pk, session.pk]))
    text = pdf_text(pdf.content)
    assert "56 mg" in text and "LOT-42" in text and "125" in text and "Female" in text
    client.post(reverse("treatment:rems_submitted", args=[case.pk, session.pk]))
    assert TreatmentSession.objects.get(pk=session.pk).rems_submitted_at is not None


def test_session_form_errors_are_shown_and_save_nothing(physician, clinician) -> None:
    case = active_case(physician)
    session = case.sessions.order_by("number").first()
    client = Client()
    client.force_login(clinician)
    response = client.post(
        reverse("treatment:session_page", args=[case.pk, session.pk]),
        {"step": "monitoring", "monitoring-moaas": 7},
    )
    assert response.status_code == 400
    assert TreatmentSession.objects.get(pk=session.pk).moaas is None


def test_complete_treatment_needs_the_sessions_or_an_early_decision(physician, clinician):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"session_early_days": 7})
    case = active_case(physician)
    with pytest.raises(TransitionRefused, match="2 planned sessions"):
        case_transition(case_id=case.pk, transition="complete_treatment", actor=clinician)
    for _ in range(2):
        session, start = run_session(case, clinician)
        session_services.session_sign_off(
            case=case, session_id=session.pk, actor=clinician, discharge=discharge(start, 95)
        )
    done = case_transition(case_id=case.pk, transition="complete_treatment", actor=clinician)
    assert done.state == CaseState.COMPLETED


def test_physician_can_end_early_with_a_reason(physician, clinician) -> None:
    case = active_case(physician)
    with pytest.raises(ValidationFailed):
        session_services.treatment_complete_early(case=case, actor=physician, reason="")
    with pytest.raises(Exception, match="Only a physician"):
        session_services.treatment_complete_early(case=case, actor=clinician, reason="x")
    done = session_services.treatment_complete_early(
        case=case, actor=physician, reason="Remission after four sessions"
    )
    assert done.state == CaseState.COMPLETED


def test_session_page_records_dosing_through_the_form(physician, clinician) -> None:
    case = active_case(physician)
    session = case.sessions.order_by("number").first()
    client = Client()
    client.force_login(clinician)
    page = client.get(
        reverse("treatment:session_page", args=[case.pk, session.pk])
    ).content.decode()
    assert "device_count" not in page  # devices only for esketamine
    started = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    url = reverse("treatment:session_page", args=[case.pk, session.pk])
    response = client.post(
        url,
        {
            "step": "predose",
            "predose-pre_systolic": 124,
            "predose-pre_diastolic": 78,
            "predose-pre_heart_rate": 70,
            "predose-pre_spo2": 98,
            "predose-escort_confirmed": "on",
            "predose-new_medications": "",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "step": "dosing",
            "dosing-dosing_started_at": started,
            "dosing-dose_given_mg": "36.25",
            "dosing-lot_number": "LOT-9",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.dose_given_mg == Decimal("36.25") and session.lot_number == "LOT-9"
