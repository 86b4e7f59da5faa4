"""Registration without duplicates: the search-as-you-type patient picker, and a new patient
whose name and date of birth match a registered one asks for confirmation."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Patient
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, PatientFactory

pytestmark = pytest.mark.django_db

NEW = {
    "given_name": "ada",
    "family_name": "LOVELACE",
    "date_of_birth": "1985-12-10",
    "mrn": "NEW-1",
    "contact_channel": "email",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ada(db: None) -> Patient:
    patient: Patient = PatientFactory(
        given_name="Ada", family_name="Lovelace", date_of_birth=date(1985, 12, 10), mrn="OLD-7"
    )
    CaseFactory(patient=patient, state=CaseState.COMPLETED)
    return patient


def test_same_name_and_birth_asks_for_confirmation(admin_staff, ada) -> None:
    response = _client(admin_staff).post(reverse("pathway:case_open"), NEW)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="possible-duplicate"' in html
    assert "already registered (Ada Lovelace, record OLD-7)" in html
    # the registered patient is offered as the choice instead
    assert f'name="existing_patient" value="{ada.pk}"' in html
    assert Patient.objects.count() == 1


def test_confirmed_different_person_is_registered(admin_staff, ada) -> None:
    response = _client(admin_staff).post(
        reverse("pathway:case_open"), {**NEW, "confirm_duplicate": "on"}
    )
    assert response.status_code == 302
    assert Patient.objects.filter(family_name__iexact="lovelace").count() == 2


def test_choosing_the_registered_patient_opens_their_case(admin_staff, ada) -> None:
    response = _client(admin_staff).post(
        reverse("pathway:case_open"), {"existing_patient": ada.pk, "contact_channel": "email"}
    )
    assert response.status_code == 302
    assert Case.objects.filter(patient=ada).count() == 2
    assert Patient.objects.count() == 1


def test_other_birth_date_is_not_a_duplicate(admin_staff, ada) -> None:
    response = _client(admin_staff).post(
        reverse("pathway:case_open"), {**NEW, "date_of_birth": "1985-12-11"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("love", True),
        ("ada lov", True),
        ("OLD-", True),
        ("1985-12-10", True),
        ("ada 1990-01-01", False),
        ("zzz", False),
    ],
)
def test_picker_search(admin_staff, ada, query: str, found: bool) -> None:
    response = _client(admin_staff).get(reverse("pathway:patient_search"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert (f'value="{ada.pk}"' in html) is found
    assert "<html" not in html  # a fragment for the picker


def test_picker_without_javascript(admin_staff, ada) -> None:
    html = (
        _client(admin_staff).get(reverse("pathway:case_open"), {"q": "Lovelace"}).content.decode()
    )
    assert "born 10 Dec 1985 · record OLD-7" in html


def test_picker_is_for_those_who_open_cases(patient_user) -> None:
    response = _client(patient_user).get(reverse("pathway:patient_search"), {"q": "ada"})
    assert response.status_code == 403


def test_picker_reads_patients_once_and_shows_ten(admin_staff) -> None:
    PatientFactory.create_batch(15, family_name="Lovelace")
    client = _client(admin_staff)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("pathway:patient_search"), {"q": "love"}).content.decode()
    # ten patients, and the "New patient" choice
    assert html.count('name="existing_patient" value="') == 11
    assert html.count('name="existing_patient" value=""') == 1
    assert sum('FROM "core_patient"' in q["sql"] for q in ctx.captured_queries) == 1
