"""Every case-scoped page and action, for every role: patients never reach staff pages (403)
or another patient's case (404 on the API), admin staff never reach clinical records, and
anonymous people are sent to sign in. Refusals change nothing."""

from __future__ import annotations

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

CLINICAL_GET = [
    "intake:consultation",
    "intake:evaluation",
    "intake:medications",
    "treatment:plan_page",
]
STAFF_GET = ["pathway:case_detail", *CLINICAL_GET]
STAFF_POST = [
    ("pathway:case_transition", {"transition": "withdraw", "reason": "x"}),
    ("intake:medication_confirm", {}),
    ("treatment:plan_amend", {"reason": "x"}),
    ("treatment:complete_early", {"reason": "x"}),
    (
        "followups:add",
        {"kind": "custom", "title": "x", "due_at": "2030-01-01T10:00", "window_hours": 1},
    ),
]

# role -> expected status for (staff GET, clinical GET)
EXPECTED_GET = {
    Role.CLINICIAN: (200, 200),
    Role.PHYSICIAN: (200, 200),
    Role.ADMIN_STAFF: (200, 403),
    Role.CLINIC_ADMIN: (200, 403),
    Role.PATIENT: (403, 403),
    None: (403, 403),
}


@pytest.mark.parametrize("role", list(EXPECTED_GET))
@pytest.mark.parametrize("url_name", STAFF_GET)
def test_get_matrix(role, url_name) -> None:
    user = make_user(role)
    case = CaseFactory(
        state=CaseState.ACTIVE, **({"patient__user": user} if role is Role.PATIENT else {})
    )
    client = Client()
    client.force_login(user)
    response = client.get(reverse(url_name, args=[case.pk]))
    staff_status, clinical_status = EXPECTED_GET[role]
    expected = clinical_status if url_name in CLINICAL_GET else staff_status
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", STAFF_GET)
def test_anonymous_is_sent_to_sign_in(url_name) -> None:
    case = CaseFactory()
    response = Client().get(reverse(url_name, args=[case.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize(("url_name", "data"), STAFF_POST)
def test_patient_posts_to_staff_actions_change_nothing(url_name, data) -> None:
    patient = make_user(Role.PATIENT)
    own = CaseFactory(state=CaseState.ACTIVE, patient__user=patient)
    other = CaseFactory(state=CaseState.ACTIVE)
    client = Client()
    client.force_login(patient)
    for case in (own, other):
        response = client.post(reverse(url_name, args=[case.pk]), data)
        if url_name == "pathway:case_transition" and case is own:
            continue  # a patient may withdraw from their own case (tested elsewhere)
        assert response.status_code in (403, 404), (url_name, response.status_code)
    assert Case.objects.get(pk=other.pk).state == CaseState.ACTIVE
    assert not other.followups.exists()
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_one_patient_cannot_reach_anothers_questionnaire_or_case_by_api() -> None:
    first, second = make_user(Role.PATIENT), make_user(Role.PATIENT)
    CaseFactory(patient__user=first)
    theirs = CaseFactory(patient__user=second)
    client = Client()
    client.force_login(first)
    assert client.get(reverse("api:case_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("pathway:patient_home")).content.decode().count("Case #") == 1


def test_clinician_may_not_write_or_sign_a_plan(clinician) -> None:
    case = CaseFactory(state=CaseState.PLAN_PENDING)
    client = Client()
    client.force_login(clinician)
    response = client.post(reverse("treatment:plan_page", args=[case.pk]), {"route": "iv"})
    assert response.status_code == 403
    assert not case.plans.exists()


# Critical cells, written by hand (the derived matrix in tests/test_access_routes.py reads the
# table; these do not, so a wrong table entry cannot make both agree).


def test_admin_staff_never_reach_clinical_records(admin_staff) -> None:
    case = CaseFactory(state=CaseState.ACTIVE)
    client = Client()
    client.force_login(admin_staff)
    urls = [
        reverse("intake:consultation", args=[case.pk]),
        reverse("intake:evaluation", args=[case.pk]),
        reverse("intake:medications", args=[case.pk]),
        reverse("treatment:plan_page", args=[case.pk]),
        reverse("treatment:plan_pdf", args=[case.pk, 1]),
        reverse("treatment:session_page", args=[case.pk, 1]),
        reverse("treatment:rems_pdf", args=[case.pk, 1]),
    ]
    assert [client.get(url).status_code for url in urls] == [403] * len(urls)
    assert AuditEntry.objects.filter(action="access.denied", actor=admin_staff).count() == 7
    assert not AuditEntry.objects.filter(action__endswith=".view").exists()


def test_patient_gets_404_for_another_patients_case_everywhere_they_may_go() -> None:
    patient = make_user(Role.PATIENT)
    CaseFactory(patient__user=patient)
    theirs = CaseFactory(state=CaseState.CONSULTATION)
    client = Client()
    client.force_login(patient)
    withdraw = {"transition": "withdraw", "reason": "not mine"}
    responses = [
        client.get(reverse("api:case_detail", args=[theirs.pk])),
        client.post(reverse("pathway:case_transition", args=[theirs.pk]), withdraw),
        client.post(
            reverse("api:case_transitions", args=[theirs.pk]),
            withdraw,
            content_type="application/json",
        ),
        client.get(reverse("consent_withdraw", args=[theirs.pk])),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Case.objects.get(pk=theirs.pk).state == CaseState.CONSULTATION
    assert AuditEntry.objects.filter(action="access.denied", case_id=theirs.pk).count() == 4


def test_clinician_may_not_approve_a_plan(clinician) -> None:
    case = CaseFactory(state=CaseState.PLAN_PENDING)
    client = Client()
    client.force_login(clinician)
    response = client.post(
        reverse("treatment:plan_approve", args=[case.pk]), {"plan_id": 1, "password": "x"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
