"""QA pass on Open a case: a chosen patient can be un-chosen ("New patient"), with or without
htmx; a date of birth typed as DD/MM/YYYY survives another field's error; the picker reads
dates of birth as the board does."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Patient
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, PatientFactory

pytestmark = pytest.mark.django_db
OPEN = "pathway:case_open"
NEW = {
    "given_name": "Tamsin",
    "family_name": "Ashdown",
    "date_of_birth": "1990-02-03",
    "mrn": "NEW-9",
    "contact_channel": "email",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def robin(db: None) -> Patient:
    patient: Patient = PatientFactory(
        given_name="Robin", family_name="Ashdown", date_of_birth=date(1984, 3, 14), mrn="DEMO-1"
    )
    CaseFactory(patient=patient, state=CaseState.EVALUATION)
    return patient


def _radio(html: str, value: str) -> str:
    found = re.search(rf'<input type="radio" name="existing_patient" value="{value}"[^>]*>', html)
    assert found is not None, f"no radio for {value!r}"
    return found.group(0)


def test_a_chosen_patient_can_be_unchosen(admin_staff, robin) -> None:
    client = _client(admin_staff)
    url = reverse(OPEN) + "?q=Ashdown"
    refused = client.post(url, {**NEW, "existing_patient": robin.pk})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert f"Robin Ashdown already has an open case (#{robin.cases.get().pk})" in html
    assert "checked" in _radio(html, str(robin.pk))
    new_choice = _radio(html, "")
    assert "checked" not in new_choice and 'data-testid="new-patient-choice"' in new_choice
    assert "New patient (type the details below)" in html
    # choosing "New patient" registers the typed details
    opened = client.post(url, {**NEW, "existing_patient": ""})
    assert opened.status_code == 302
    tamsin = Patient.objects.get(mrn="NEW-9")
    assert Case.objects.filter(patient=tamsin).count() == 1


def test_the_new_patient_choice_is_checked_when_nothing_was_chosen(admin_staff, robin) -> None:
    html = _client(admin_staff).get(reverse(OPEN), {"q": "Ashdown"}).content.decode()
    assert "checked" in _radio(html, "") and "checked" not in _radio(html, str(robin.pk))


def test_the_htmx_results_offer_the_new_patient_choice(admin_staff, robin) -> None:
    html = (
        _client(admin_staff)
        .get(reverse("pathway:patient_search"), {"q": "Ashdown"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in html
    assert "checked" in _radio(html, "") and "checked" not in _radio(html, str(robin.pk))


def test_a_typed_date_of_birth_comes_back_as_iso(admin_staff) -> None:
    response = _client(admin_staff).post(
        reverse(OPEN), {**NEW, "date_of_birth": "14/03/1984", "email": "not an address"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    field = re.search(r'<input type="date" name="date_of_birth"[^>]*>', html)
    assert field is not None and 'value="1984-03-14"' in field.group(0)


def test_an_unreadable_date_of_birth_is_shown_as_typed(admin_staff) -> None:
    html = (
        _client(admin_staff)
        .post(reverse(OPEN), {**NEW, "date_of_birth": "14th March"})
        .content.decode()
    )
    field = re.search(r'<input type="date" name="date_of_birth"[^>]*>', html)
    assert field is not None and 'value="14th March"' in field.group(0)


@pytest.mark.parametrize("query", ["1984-03-14", "14/03/1984", "14.03.1984", "robin 14/03/1984"])
def test_the_picker_reads_dates_as_the_board_does(admin_staff, robin, query: str) -> None:
    html = (
        _client(admin_staff).get(reverse("pathway:patient_search"), {"q": query}).content.decode()
    )
    assert f'value="{robin.pk}"' in html


def test_the_picker_date_must_match(admin_staff, robin) -> None:
    html = (
        _client(admin_staff)
        .get(reverse("pathway:patient_search"), {"q": "15/03/1984"})
        .content.decode()
    )
    assert f'value="{robin.pk}"' not in html
