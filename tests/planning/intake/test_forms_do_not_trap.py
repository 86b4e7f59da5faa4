"""Forms that do not trap people: blank rows ignored, rows added, conditional questions that
can be cleared, no silent pregnancy default, refused forms keep what was typed, names folded
and checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.text import names_match
from core.errors import ValidationFailed
from core.models import Patient
from planning.intake.models import Consultation, SafetyAlert
from planning.pathway.services import patient_create
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, satisfy_intake
from tests.planning.intake.test_intake import _evaluation_post

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _trial(i: int) -> dict[str, object]:
    return {
        f"trials-{i}-drug": f"Drug{i}",
        f"trials-{i}-dose_mg": "20",
        f"trials-{i}-weeks": 8,
        f"trials-{i}-response": "none",
    }


def _blank(i: int) -> dict[str, object]:
    return {f"trials-{i}-{k}": "" for k in ("drug", "dose_mg", "weeks", "response")}


@pytest.mark.parametrize("filled", [0, 1, 4])
def test_consultation_saves_with_any_number_of_trials(clinician, filled: int) -> None:
    case = CaseFactory(state=CaseState.CONSULTATION)
    total = max(filled, 3)
    data: dict[str, object] = {
        "presenting_symptoms": "Low mood",
        "symptom_duration_months": 14,
        "trials-TOTAL_FORMS": total,  # four: a row added in the browser
        "trials-INITIAL_FORMS": 0,
    }
    for i in range(total):
        data.update(_trial(i) if i < filled else _blank(i))
    response = _client(clinician).post(reverse("intake:consultation", args=[case.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Consultation.objects.get(case=case).trials.count() == filled


def test_consultation_page_offers_a_row_template_and_no_preselected_response(clinician):
    case = CaseFactory(state=CaseState.CONSULTATION)
    page = _client(clinician).get(reverse("intake:consultation", args=[case.pk])).content.decode()
    assert 'id="trial-row-template"' in page and 'id="add-trial"' in page
    assert "intake/forms.js" in page and "<script>" not in page
    assert '<option value="" selected>—</option>' in page


def _female_case(age: int = 30):  # type: ignore[no-untyped-def]
    case = CaseFactory(
        state=CaseState.EVALUATION,
        patient__sex_at_birth="female",
        patient__date_of_birth=timezone.localdate() - timedelta(days=365 * age + 10),
    )
    satisfy_intake(case, "complete_consultation")
    return case


def _post(client, case, **overrides):  # type: ignore[no-untyped-def]
    return client.post(reverse("intake:evaluation", args=[case.pk]), _evaluation_post(**overrides))


def test_no_silent_pregnancy_default_and_the_form_keeps_what_was_typed(clinician) -> None:
    case = _female_case()
    client = _client(clinician)
    page = client.get(reverse("intake:evaluation", args=[case.pk])).content.decode()
    assert '<option value="" selected>Choose…</option>' in page
    refused = _post(client, case, pregnancy_status="", systolic_bp=131, psychiatric_history="typed")
    body = refused.content.decode()
    assert refused.status_code == 400 and "Choose the pregnancy status" in body
    assert 'value="131"' in body and "typed</textarea>" in body
    refused = _post(client, case, pregnancy_status="not_applicable")
    assert refused.status_code == 400 and "Pregnancy status is asked of this patient" in (
        refused.content.decode()
    )
    assert not case.evaluations.exists()


def test_unknown_pregnancy_status_is_a_finding_for_the_physician(clinician) -> None:
    case = _female_case()
    assert _post(_client(clinician), case, pregnancy_status="unknown").status_code == 302
    alert = SafetyAlert.objects.get(case=case)
    assert "Pregnancy status unknown" in alert.message and alert.is_open


def test_pregnancy_not_applicable_outside_the_clinics_age_range(clinician) -> None:
    case = _female_case(age=60)
    assert _post(_client(clinician), case, pregnancy_status="not_applicable").status_code == 302


def test_cssrs_follow_up_questions_are_conditional_and_can_be_cleared(clinician) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    satisfy_intake(case, "complete_consultation")
    client = _client(clinician)
    page = client.get(reverse("intake:evaluation", args=[case.pk])).content.decode()
    assert 'data-shown-when="cssrs_screener__cssrs_2" data-shown-equals="1"' in page
    assert page.count('data-shown-when="cssrs_screener__cssrs_2"') == 3
    refused = _post(client, case, cssrs_screener__cssrs_2=0, cssrs_screener__cssrs_3=1)
    assert refused.status_code == 400 and "Leave this question unanswered" in (
        refused.content.decode()
    )
    cleared = _post(client, case, cssrs_screener__cssrs_2=0, cssrs_screener__cssrs_3="")
    assert cleared.status_code == 302


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("Lukasz Osterberg", "ŁUKASZ ØSTERBERG"),
        ("lukasz osterberg", "Łukasz Østerberg"),
        ("Strasse", "Straße"),
        ("STRASSE", "STRAẞE"),
        ("Dorthe Aero", "Dorthe Ærø"),
    ],
)
def test_typed_name_folds_letters_like_accents(typed: str, recorded: str) -> None:
    assert names_match(typed, recorded)


def test_typed_name_still_notices_a_misspelling() -> None:
    assert not names_match("Lukas Osterberg", "Łukasz Østerberg")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Zoë 😀", "cannot contain the symbol"),
        ("Ann★", "cannot contain the symbol"),
        ("Ann3", "cannot contain digits"),
        ("Ze\u0301\u0301\u0301\u0301", "too many accents"),
    ],
)
def test_registration_refuses_symbols_digits_and_piled_marks(clinician, given, message) -> None:
    with pytest.raises(ValidationFailed, match=message):
        patient_create(
            given_name=given,
            family_name="Example",
            date_of_birth=timezone.localdate() - timedelta(days=9000),
            mrn="N-1",
            actor=clinician,
        )
    response = _client(clinician).post(
        reverse("pathway:case_open"),
        {
            "given_name": given,
            "family_name": "Example",
            "mrn": "N-2",
            "date_of_birth": "1990-01-01",
        },
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Patient.objects.filter(mrn__in=["N-1", "N-2"]).exists()


def test_names_are_stored_in_nfc(clinician) -> None:
    patient = patient_create(
        given_name="Zoe\u0308  ",
        family_name="Ó Faoláin",
        date_of_birth=timezone.localdate() - timedelta(days=9000),
        mrn="N-3",
        actor=clinician,
    )
    assert patient.given_name == "Zoë" and len(patient.given_name) == 3
