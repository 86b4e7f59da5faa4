"""A staff change of a patient's language reaches the patient's signed-in sessions on their
next request (core.i18n, core.signals): the session's cached language carries the user's
language stamp, which moves with every save of the patient's language; the user row is loaded
on every request anyway, so a page costs no extra query except the one re-read after a change.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.i18n import SIGNED_IN_KEY, patient_language_set
from core.models import Patient, User
from core.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


#: A session is written only when it changed (core.sessions): SAVEPOINT, UPDATE, RELEASE.
SESSION_SAVE = 3


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _home(client: Client) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pathway:patient_home"))
    assert response.status_code == 200
    return response, len(queries)


def test_staff_change_reaches_every_signed_in_session_on_the_next_request(
    patient_user: User, own_case: Any
) -> None:
    phone, laptop = _signed_in(patient_user), _signed_in(patient_user)
    first, _ = _home(phone)
    assert first["Content-Language"] == "en" and "My treatment" in first.content.decode()
    _home(laptop)
    _, steady = _home(phone)
    assert _home(phone)[1] == steady  # the language costs no query per request

    staff = make_user(Role.ADMIN_STAFF)
    patient_language_set(patient_id=own_case.patient_id, language="es", actor=staff, via="staff")

    for client in (phone, laptop):
        changed, cost = _home(client)
        assert changed["Content-Language"] == "es"
        assert "Mi tratamiento" in changed.content.decode()
        assert cost == steady + 1 + SESSION_SAVE  # one re-read, once, kept in the session
        again, cost = _home(client)
        assert again["Content-Language"] == "es" and cost == steady


def test_an_admin_edit_of_the_patient_moves_the_stamp_other_saves_do_not(
    patient_user: User, own_case: Any
) -> None:
    patient = Patient.objects.get(pk=own_case.patient_id)
    before = User.objects.get(pk=patient_user.pk).language_stamp
    patient.email = "new@example.invalid"
    patient.save(update_fields=["email", "updated_at"])
    assert User.objects.get(pk=patient_user.pk).language_stamp == before
    patient.preferred_language = "es"
    patient.save()  # the admin's full save
    assert User.objects.get(pk=patient_user.pk).language_stamp == before + 1
    client = _signed_in(patient_user)
    assert _home(client)[0]["Content-Language"] == "es"
    cached = client.session[SIGNED_IN_KEY]
    assert cached == [patient_user.pk, before + 1, "es"]


def test_the_patients_own_switch_needs_no_second_read(patient_user: User, own_case: Any) -> None:
    client = _signed_in(patient_user)
    _home(client)  # the first request stamps the session (core.middleware, last seen)
    _, steady = _home(client)
    home = reverse("pathway:patient_home")
    client.post(reverse("language_set"), {"language": "es", "next": home})
    page, cost = _home(client)
    assert page["Content-Language"] == "es" and cost == steady  # the switch cached the new stamp


def test_staff_pages_read_no_patient_language(patient_user: User, own_case: Any) -> None:
    staff = make_user(Role.ADMIN_STAFF)
    client = _signed_in(staff)
    assert client.session[SIGNED_IN_KEY] == [staff.pk, 0, ""]
    response = client.get(reverse("pathway:case_detail", args=[own_case.pk]))
    assert response.status_code == 200 and "Content-Language" not in response
