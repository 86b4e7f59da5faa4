"""Who reaches what: patients only their own case, staff roles by permission, nobody else."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from core.roles import Role
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

STAFF = [Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", STAFF)
def test_staff_reach_board_case_page_and_open_form(role: Role) -> None:
    case = CaseFactory()
    client = _client(make_user(role))
    assert client.get(reverse("pathway:case_board")).status_code == 200
    assert client.get(reverse("pathway:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("pathway:case_open")).status_code == 200
    assert client.get(reverse("api:case_detail", args=[case.pk])).status_code == 200


@pytest.mark.parametrize("url_name", ["pathway:case_board", "pathway:case_open"])
def test_patient_gets_403_on_staff_pages(url_name: str, patient_user) -> None:
    response = _client(patient_user).get(reverse(url_name))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="access.denied", actor=patient_user).exists()


def test_patient_gets_403_on_own_case_staff_page(own_case, patient_user) -> None:
    response = _client(patient_user).get(reverse("pathway:case_detail", args=[own_case.pk]))
    assert response.status_code == 403


def test_patient_cannot_reach_another_patients_case(own_case, patient_user) -> None:
    other = CaseFactory()
    client = _client(patient_user)
    assert client.get(reverse("api:case_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("api:case_detail", args=[own_case.pk])).status_code == 200
    response = client.post(
        reverse("pathway:case_transition", args=[other.pk]),
        {"transition": "withdraw", "reason": "not mine"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("api:case_transitions", args=[other.pk]),
        json.dumps({"transition": "withdraw", "reason": "not mine"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert Case.objects.get(pk=other.pk).state == CaseState.CONSULTATION
    denied = AuditEntry.objects.filter(action="access.denied", case_id=other.pk)
    assert denied.count() == 3


def test_patient_home_shows_only_own_case_and_withdraws(own_case, patient_user) -> None:
    other = CaseFactory()
    client = _client(patient_user)
    page = client.get(reverse("pathway:patient_home")).content.decode()
    assert f"Case #{own_case.pk}" in page and f"Case #{other.pk}" not in page
    response = client.post(
        reverse("pathway:case_transition", args=[own_case.pk]),
        {"transition": "withdraw", "reason": "I changed my mind", "expected_state": "consultation"},
    )
    assert response.status_code == 302 and response.url == reverse("pathway:patient_home")
    assert Case.objects.get(pk=own_case.pk).state == CaseState.WITHDRAWN


def test_anonymous_is_sent_to_sign_in() -> None:
    case = CaseFactory()
    for url in [
        reverse("pathway:case_board"),
        reverse("pathway:case_detail", args=[case.pk]),
        reverse("home"),
    ]:
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # The API answers 401 with a JSON body instead of redirecting to the sign-in page.
    api = Client().get(reverse("api:case_detail", args=[case.pk]))
    assert api.status_code == 401 and api.json()["error"] == "not_authenticated"


def test_user_without_role_sees_nothing() -> None:
    case = CaseFactory()
    client = _client(make_user(None))
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("pathway:case_board")).status_code == 403
    assert client.get(reverse("pathway:case_detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("api:case_detail", args=[case.pk])).status_code == 404


def test_case_view_is_audited(clinician) -> None:
    case = CaseFactory()
    _client(clinician).get(reverse("pathway:case_detail", args=[case.pk]))
    entry = AuditEntry.objects.filter(action="case.view", case_id=case.pk).get()
    assert entry.actor == clinician and entry.ip == "127.0.0.1"


def test_admin_site_only_for_clinic_admin(clinic_admin, physician) -> None:
    assert _client(clinic_admin).get("/admin/planning/case/").status_code == 200
    assert _client(physician).get("/admin/").status_code == 302
