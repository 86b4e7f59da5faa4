"""The API allows exactly what the pages allow: for every role, on the user's own case (a
patient's) and on another patient's case, each API operation is compared with the page that
shows or does the same thing. Allowed means a 2xx (or the page's redirect after an action);
refused means 401/403/404 on the API and a sign-in redirect, 403 or 404 on the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from tests.conftest import make_user
from tests.consent.helpers import consent_signed_for
from tests.factories import CaseFactory, satisfy_guards
from tests.support.records import stored_record

pytestmark = pytest.mark.django_db

ROLES = [Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN, Role.PATIENT, None]


def _case_with_records(**kwargs) -> Case:
    case = CaseFactory(state=CaseState.PLAN_PENDING, **kwargs)
    signature = consent_signed_for(case)
    consent = f"%PDF-1.7 consent {case.pk}".encode()
    stored_record(
        RecordKind.CONSENT, signature.pk, case_id=case.pk, patient_id=case.patient_id, data=consent
    )
    satisfy_guards(case, "approve_plan")
    plan = case.plans.get()
    stored_record(
        RecordKind.PLAN,
        plan.pk,
        case_id=case.pk,
        patient_id=case.patient_id,
        data=f"%PDF-1.7 plan {case.pk}".encode(),
    )
    return case


def _page_allows(client: Client, action: str, case: Case) -> bool:
    signature_id = case_signature(case)
    plan_id = case.plans.get().pk
    if action == "case":
        staff = client.get(reverse("pathway:case_detail", args=[case.pk])).status_code == 200
        home = client.get(reverse("pathway:patient_home"))
        return staff or (home.status_code == 200 and f"Case #{case.pk}" in home.content.decode())
    if action in {"history", "followups"}:
        return client.get(reverse("pathway:case_detail", args=[case.pk])).status_code == 200
    if action == "list":
        board = client.get(reverse("pathway:case_board")).status_code == 200
        return board or client.get(reverse("pathway:patient_home")).status_code == 200
    if action == "patients":
        return client.get(reverse("pathway:case_open")).status_code == 200
    if action == "consent_pdf":
        url = reverse("consent_signature_pdf", args=[signature_id])
        return client.get(url).status_code == 200
    if action == "plan_pdf":
        url = reverse("treatment:plan_pdf", args=[case.pk, plan_id])
        return client.get(url).status_code == 200
    if action == "withdraw":
        url = reverse("pathway:case_transition", args=[case.pk])
        client.post(url, {"transition": "withdraw", "reason": "matrix"})
        return Case.objects.get(pk=case.pk).state == CaseState.WITHDRAWN
    raise AssertionError(action)


def _api_allows(client: Client, action: str, case: Case) -> bool:
    urls = {
        "case": f"/api/cases/{case.pk}",
        "history": f"/api/cases/{case.pk}/transitions",
        "followups": f"/api/cases/{case.pk}/followups",
        "list": "/api/cases",
        "patients": f"/api/patients/{case.patient_id}",
        "consent_pdf": f"/api/cases/{case.pk}/records/consent/{case_signature(case)}",
        "plan_pdf": f"/api/cases/{case.pk}/records/plan/{case.plans.get().pk}",
    }
    if action == "withdraw":
        response = client.post(
            f"/api/cases/{case.pk}/transitions",
            {"transition": "withdraw", "reason": "matrix"},
            content_type="application/json",
        )
        changed = Case.objects.get(pk=case.pk).state == CaseState.WITHDRAWN
        assert (response.status_code == 200) == changed
        assert changed or response.status_code in (401, 403, 404), response.status_code
        return changed
    response = client.get(urls[action])
    assert response.status_code in (200, 401, 403, 404), (action, response.status_code)
    if response.status_code != 200:
        assert response.json()["error"] in {"forbidden", "not_found", "not_authenticated"}
    return response.status_code == 200


def case_signature(case: Case) -> int:
    from consent.models import ConsentSignature

    return ConsentSignature.objects.get(case_id=case.pk).pk


ACTIONS = ["case", "history", "followups", "list", "patients", "consent_pdf", "plan_pdf"]


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_api_allows_exactly_what_the_pages_allow(role) -> None:
    user = None if role == "anonymous" else make_user(role)
    own_kwargs = {"patient__user": user} if role is Role.PATIENT else {}
    targets = {"own": _case_with_records(**own_kwargs), "other": _case_with_records()}
    client = Client()
    if user is not None:
        client.force_login(user)
    differences, table = [], {}
    for name, case in targets.items():
        for action in ACTIONS:
            page, api = _page_allows(client, action, case), _api_allows(client, action, case)
            table[(name, action)] = api
            if page != api:
                differences.append(f"{name} {action}: page {page}, api {api}")
    for name, case in targets.items():  # a state change: each side on a fresh case
        kwargs = {"patient": case.patient}
        page = _page_allows(client, "withdraw", _case_with_records(**kwargs))
        api = _api_allows(client, "withdraw", _case_with_records(**kwargs))
        table[(name, "withdraw")] = api
        if page != api:
            differences.append(f"{name} withdraw: page {page}, api {api}")
    assert differences == []
    # And the matrix is not trivially all-refused or all-allowed:
    if role in (Role.CLINICIAN, Role.PHYSICIAN):
        assert all(table.values())
    if role is Role.PATIENT:
        assert table[("own", "case")] and table[("own", "withdraw")]
        assert table[("own", "consent_pdf")] and not table[("own", "plan_pdf")]
        assert [k for k, ok in table.items() if k[0] == "other" and ok] == [("other", "list")]
    if role in (None, "anonymous"):
        assert not any(table.values())
