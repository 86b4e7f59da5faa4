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
from tests.factories import CaseFactory, satisfy_guards

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
    # No role holds no action at all: 403, whatever the id (nothing about the case is revealed).
    assert client.get(reverse("api:case_detail", args=[case.pk])).status_code == 403


def test_case_view_is_audited(clinician) -> None:
    case = CaseFactory()
    _client(clinician).get(reverse("pathway:case_detail", args=[case.pk]))
    entry = AuditEntry.objects.filter(action="case.view", case_id=case.pk).get()
    assert entry.actor == clinician and entry.ip == "127.0.0.1"


def test_admin_site_only_for_clinic_admin(clinic_admin, physician) -> None:
    assert _client(clinic_admin).get("/admin/planning/case/").status_code == 200
    assert _client(physician).get("/admin/").status_code == 302


def test_typed_access_functions_raise_for_the_api_and_downloads(clinician, admin_staff) -> None:
    """What the API and the records app call directly, without a view's decorator."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.utils import timezone

    from planning.followups.access import access_followup
    from planning.followups.models import FollowUp
    from planning.pathway.access import access_case
    from planning.treatment.access import access_plan, access_plan_pdf

    case, other = CaseFactory(), CaseFactory()
    theirs = FollowUp.objects.create(
        case=other, kind="custom", key="t", due_at=timezone.now(), window_ends_at=timezone.now()
    )
    with pytest.raises(Http404):
        access_followup(clinician, case.pk, theirs.pk, action="followup.manage")
    assert access_followup(clinician, other.pk, theirs.pk, action="followup.manage") == theirs
    with pytest.raises(PermissionDenied):
        access_plan_pdf(admin_staff, case.pk, 1)
    with pytest.raises(PermissionDenied):
        access_case(admin_staff, case.pk, action="intake.view")
    assert not AuditEntry.objects.filter(action__endswith=".view").exists()
    assert AuditEntry.objects.filter(action="access.denied", actor=admin_staff).count() == 2
    satisfy_guards(case, "approve_plan")
    plan = case.plans.get()
    assert access_plan(clinician, case.pk, plan.pk, action="plan.view") == plan
    with pytest.raises(Http404):
        access_plan(clinician, other.pk, plan.pk, action="plan.view")
    with pytest.raises(Http404):  # approved, but not sealed yet
        access_plan_pdf(clinician, case.pk, plan.pk)
    read = AuditEntry.objects.filter(action="plan.view").values_list("case_id", "target")
    assert list(read) == [(case.pk, f"dosingplan:{plan.pk}")]


def test_reads_stay_off_the_case_timeline(clinician) -> None:
    case = CaseFactory()
    client = _client(clinician)
    client.get(reverse("intake:consultation", args=[case.pk]))
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert AuditEntry.objects.filter(action="intake.view", case_id=case.pk).count() == 1
    assert "intake.view" not in page and "case.view" not in page
