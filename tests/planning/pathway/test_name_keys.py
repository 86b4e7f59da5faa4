"""QA pass: names match and sort without regard to accents or case (core.models.name_key),
in the duplicate check, the patient picker, the board's search and its sort by name."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Patient, name_key
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Ó Faoláin", "o faolain"),
        ("  ZOË   Brontë ", "zoe bronte"),
        ("Straße", "strasse"),
        ("Ｆｕｌｌ", "full"),
        ("Łukasz", "łukasz"),  # no decomposition: kept, case-folded
    ],
)
def test_name_key(typed: str, key: str) -> None:
    assert name_key(typed) == key


def test_keys_are_kept_on_save_and_bulk_create() -> None:
    patient = PatientFactory(given_name="Zoë", family_name="Brontë")
    assert (patient.given_key, patient.family_key) == ("zoe", "bronte")
    patient.family_name = "Ó Faoláin"
    patient.save(update_fields=["family_name"])
    patient.refresh_from_db()
    assert patient.family_key == "o faolain"
    [bulk] = Patient.objects.bulk_create(
        [Patient(given_name="Éva", family_name="Ács", date_of_birth="1990-01-01", mrn="B-1")]
    )
    assert Patient.objects.values_list("family_key", flat=True).get(pk=bulk.pk) == "acs"


def test_the_duplicate_check_ignores_accents_and_case(admin_staff) -> None:
    client = _client(admin_staff)
    first = {
        "given_name": "Zoë",
        "family_name": "Brontë",
        "date_of_birth": "2000-01-01",
        "mrn": "ZB-1",
        "contact_channel": "email",
    }
    assert client.post(reverse("pathway:case_open"), first).status_code == 302
    again = {**first, "given_name": "zoe", "family_name": "BRONTE", "mrn": "ZB-2"}
    response = client.post(reverse("pathway:case_open"), again)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="possible-duplicate"' in html
    assert "already registered (Zoë Brontë, record ZB-1)" in html
    assert Patient.objects.count() == 1


@pytest.fixture
def faolain(db: None) -> Patient:
    patient: Patient = PatientFactory(
        given_name="Aoife", family_name="Ó Faoláin", date_of_birth=date(1979, 5, 1), mrn="DEMO-3"
    )
    return patient


@pytest.mark.parametrize("query", ["O Faolain", "Faolain", "faoláin", "aoife o", "ó faoláin"])
def test_the_picker_finds_names_without_their_accents(admin_staff, faolain, query: str) -> None:
    html = (
        _client(admin_staff).get(reverse("pathway:patient_search"), {"q": query}).content.decode()
    )
    assert f'value="{faolain.pk}"' in html


@pytest.mark.parametrize("query", ["O Faolain", "Faolain", "FAOLAIN aoife", "DEMO-3"])
def test_the_board_finds_names_without_their_accents(admin_staff, faolain, query: str) -> None:
    case = CaseFactory(patient=faolain, state=CaseState.EVALUATION)
    CaseFactory(state=CaseState.EVALUATION, patient__family_name="Vellacott")
    html = _client(admin_staff).get(reverse("pathway:case_board"), {"q": query}).content.decode()
    assert re.findall(r'data-case="(\d+)"', html) == [str(case.pk)]


def test_the_board_sorts_names_without_regard_to_accents(admin_staff, faolain) -> None:
    names = ["Vellacott", "ashdown", "Zeller", "Ó Faoláin", "Émile"]
    cases = {
        name: CaseFactory(
            state=CaseState.EVALUATION,
            patient=faolain if name == "Ó Faoláin" else PatientFactory(family_name=name),
        )
        for name in names
    }
    html = (
        _client(admin_staff).get(reverse("pathway:case_board"), {"sort": "name"}).content.decode()
    )
    order = [int(pk) for pk in re.findall(r'data-case="(\d+)"', html)]
    expected = ["ashdown", "Émile", "Ó Faoláin", "Vellacott", "Zeller"]
    assert order == [cases[name].pk for name in expected]


def test_the_migration_fills_the_keys_of_registered_patients(faolain) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("core.migrations.0740_patient_name_keys")
    Patient.objects.update(given_key="", family_key="")  # as before the migration
    migration.fill_keys(apps, None)
    faolain.refresh_from_db()
    assert (faolain.given_key, faolain.family_key) == ("aoife", "o faolain")
