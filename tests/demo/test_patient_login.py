"""The demo's patient login lands on a case with something to see: `seed_demo` (with a clinic
seal, as `make demo` runs it) gives `patient.demo` to the patient in active treatment, whose
home shows the signed consent, the approved plan, the next session, a PHQ-9 to answer and the
sealed PDFs; the printed logins say what each shows; running it again changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.models import Patient
from demo.pathway import ACTIVE_DEMO_MRN, DEMO_PASSWORD, patient_login_shows, seed_demo
from planning.followups.models import FollowUp

pytestmark = pytest.mark.django_db


def _seed(settings: Any, tmp_path: Any) -> str:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_without_a_seal_the_login_stays_with_the_consultation_patient() -> None:
    seed_demo()
    assert Patient.objects.get(user__username="patient.demo").mrn == "DEMO-0001"
    assert patient_login_shows() == "Robin Ashdown, case in consultation (little to see yet)"


def test_patient_login_shows_an_active_case(sealing: Any, settings: Any, tmp_path: Any) -> None:
    printed = _seed(settings, tmp_path)
    line = next(line for line in printed.splitlines() if "patient.demo" in line)
    assert "in active treatment" in line and "a PHQ-9 to answer" in line
    assert "dr.okafor" in printed and "approves plans" in printed
    patient = Patient.objects.get(user__username="patient.demo")
    assert patient.mrn == ACTIVE_DEMO_MRN
    assert Patient.objects.get(mrn="DEMO-0001").user_id is None

    client = Client()
    signed_in = client.post(
        reverse("login"), {"username": "patient.demo", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get(reverse("pathway:patient_home"))
    html = page.content.decode()
    assert page.status_code == 200 and "You are in treatment." in html
    assert html.count('data-testid="my-record"') == 2  # the sealed consent and plan
    assert 'data-testid="next-session"' in html
    assert 'data-testid="open-questionnaires"' in html
    assert 'data-testid="patient-progress-phq9"' in html  # the baseline from the evaluation

    again = _seed(settings, tmp_path)  # idempotent: the same login, one open questionnaire
    assert "nothing to do" in again
    assert Patient.objects.get(user__username="patient.demo").pk == patient.pk
    manual = FollowUp.objects.filter(case__patient=patient, generated=False)
    assert manual.count() == 1
