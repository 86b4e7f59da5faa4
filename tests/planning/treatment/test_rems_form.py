"""The REMS monitoring form's statements against hand-written expectations for three sessions:
a routine one, a hypertensive one dosed after a physician's clearance, and one whose early
discharge is refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import ClinicSettings
from planning.intake.models import Medication
from planning.intake.services import medication_add
from planning.treatment.rems_form import rems_content
from planning.treatment.services import sessions as session_services
from planning.treatment.services.sessions import CADSS_ITEMS, DosingRecord
from records.render import pdf_text
from tests.planning.treatment.helpers import active_case, discharge, next_session, predose
from tests.support.esign import esign

pytestmark = pytest.mark.django_db


def _at(value) -> str:  # type: ignore[no-untyped-def]
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _dose_and_monitor(case, clinician, session, start, at_40=(132, 80)):  # type: ignore[no-untyped-def]
    kwargs = {"case": case, "session_id": session.pk, "actor": clinician}
    session_services.session_record_dosing(
        **kwargs, data=DosingRecord(start, Decimal("56"), "LOT-E1", 2)
    )
    session_services.session_vitals_add(
        **kwargs, minute=40, systolic_bp=at_40[0], diastolic_bp=at_40[1], heart_rate=78
    )
    session_services.session_monitoring(**kwargs, moaas=4, cadss=dict.fromkeys(CADSS_ITEMS, 1))


@pytest.fixture
def esketamine_case(physician, clinician):  # type: ignore[no-untyped-def]
    ClinicSettings.objects.update_or_create(
        pk=1,
        defaults={
            "session_early_days": 7,
            "rems_enrolment_number": "HCS-0042",
            "rems_certification_number": "CERT-7781",
        },
    )
    case = active_case(
        physician,
        route="intranasal_esketamine",
        dose="56",
        sessions=3,
        frequency="twice weekly (weeks 1-4)",
    )
    for name in ("Lorazepam 1 mg", "Zolpidem 10 mg", "Sertraline 50 mg", "Tramadol 50 mg"):
        medication_add(
            case=case, actor=clinician, name=name, dose="", frequency="", kind="medication"
        )
    Medication.objects.filter(case=case).update(recorded_at=timezone.now() - timedelta(days=3))
    stopped = Medication.objects.get(case=case, name="Tramadol 50 mg")
    Medication.objects.filter(pk=stopped.pk).update(stopped_at=timezone.now() - timedelta(days=1))
    return case


def test_routine_session(esketamine_case, clinician, artifacts, sealing) -> None:
    case = esketamine_case
    session = next_session(case)
    start = timezone.now() - timedelta(minutes=125)
    predose(case, clinician, session, bp=(126, 80))
    _dose_and_monitor(case, clinician, session, start)
    done = session_services.session_sign_off(
        case=case,
        session_id=session.pk,
        actor=clinician,
        discharge=discharge(start, 125, bp=(128, 80)),
    )
    form = rems_content(done)
    assert form["form_version"] == "PMF-2026.1"
    assert form["first_treatment"] == "Yes"
    assert form["concomitant"] == {
        "Benzodiazepines": ["Lorazepam 1 mg"],
        "Non-benzodiazepine sedative hypnotics": ["Zolpidem 10 mg"],
        "Psychostimulants": [],
        "Monoamine oxidase inhibitors (MAOIs)": [],
        "Opioids": [],  # tramadol was stopped before this session
    }
    assert form["enrolment_number"] == "HCS-0042"
    assert form["certification_number"] == "CERT-7781"
    assert form["dose"] == "56 mg" and form["deviation"] == "None"
    assert form["total_minutes_text"] == "125 minutes"
    assert form["vitals_before_dosing"] == "Yes: 126/80 mmHg, within the clinic's limit 140/90"
    assert form["vitals_before_discharge"] == (
        "Yes: 128/80 mmHg at discharge, within the clinic's threshold 140/90"
    )
    assert (form["bp_before"], form["bp_40"], form["bp_discharge"]) == (
        "126/80 mmHg",
        "132/80 mmHg (minute 40)",
        "128/80 mmHg",
    )
    assert form["prescriber"] == "Amara Okafor"
    assert form["attestation"].startswith("I, Amara Okafor, attest")
    client = Client()
    client.force_login(clinician)
    pdf = b"".join(client.get(reverse("treatment:rems_pdf", args=[case.pk, session.pk])))
    (artifacts / "rems-routine.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "HCS-0042" in text and "Benzodiazepines: Lorazepam 1 mg" in text
    assert "within the clinic's limit 140/90" in text and "PMF-2026.1" in text


def test_hypertensive_session_dosed_after_clearance(esketamine_case, physician, clinician):
    case = esketamine_case
    session = next_session(case)
    start = timezone.now() - timedelta(minutes=130)
    predose(case, clinician, session, bp=(150, 95))
    cleared = session_services.session_bp_clearance(
        case=case,
        session_id=session.pk,
        actor=physician,
        reason="Repeat after rest 146/92; no symptoms.",
        signature=esign(physician),
    )
    _dose_and_monitor(case, clinician, session, start, at_40=(158, 96))
    with pytest.raises(ValidationFailed, match="discharge blood pressure 150/92"):
        session_services.session_sign_off(
            case=case,
            session_id=session.pk,
            actor=clinician,
            discharge=discharge(start, 130, bp=(150, 92)),
        )
    session_services.session_physician_note(
        case=case, session_id=session.pk, actor=physician, note="Asymptomatic; GP re-check."
    )
    done = session_services.session_sign_off(
        case=case,
        session_id=session.pk,
        actor=clinician,
        discharge=discharge(start, 130, bp=(150, 92)),
    )
    form = rems_content(done)
    assert form["vitals_before_dosing"] == (
        "No: 150/95 mmHg, above the clinic's limit 140/90; dosing cleared by Amara Okafor at "
        f"{_at(cleared.bp_clearance_at)}: Repeat after rest 146/92; no symptoms."
    )
    assert form["vitals_before_discharge"] == (
        "No: 150/92 mmHg at discharge, above the clinic's threshold 140/90; physician's note "
        "(Amara Okafor): Asymptomatic; GP re-check."
    )
    assert form["bp_40"] == "158/96 mmHg (minute 40)"
    assert form["total_minutes_text"] == "130 minutes"


def test_early_discharge_is_refused_and_no_form_is_made(esketamine_case, clinician) -> None:
    case = esketamine_case
    session = next_session(case)
    start = timezone.now() - timedelta(minutes=100)
    predose(case, clinician, session)
    _dose_and_monitor(case, clinician, session, start)
    with pytest.raises(ValidationFailed, match="before the protocol's 120 minutes"):
        session_services.session_sign_off(
            case=case, session_id=session.pk, actor=clinician, discharge=discharge(start, 100)
        )
    session.refresh_from_db()
    form = rems_content(session)
    assert session.status == "scheduled" and session.rems_due_at is None
    assert form["total_minutes_text"] == "Not recorded (the patient has not been discharged)"
    assert form["vitals_before_discharge"] == "Not recorded (the patient has not been discharged)"
    assert form["bp_discharge"] == "not recorded"
    client = Client()
    client.force_login(clinician)
    assert client.get(reverse("treatment:rems_pdf", args=[case.pk, session.pk])).status_code == 404
