"""Tokens, errors, lists and filters, and the documentation pages."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_revoke
from core.models import AuditEntry
from planning.pathway.states import CaseState
from tests.api.conftest import token_client
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_issued_token_is_shown_once_and_stored_only_as_a_hash(clinician) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", clinician.username, name="EHR bridge", stdout=out, stderr=err)
    token = out.getvalue().strip()
    record = ApiToken.objects.get(user=clinician)
    assert len(token) >= 40 and record.prefix == token[:8]
    assert token not in str(list(ApiToken.objects.values()))
    assert AuditEntry.objects.filter(action="api.token.issue").count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/cases").status_code == 200


@pytest.mark.parametrize("who", ["patient_user", "nobody", "inactive"])
def test_tokens_only_for_active_staff(who, patient_user, clinician) -> None:
    if who == "patient_user":
        username = patient_user.username
    elif who == "inactive":
        clinician.is_active = False
        clinician.save()
        username = clinician.username
    else:
        username = "no.such.person"
    with pytest.raises(CommandError):
        call_command("issue_api_token", username, name="x", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_revoked_or_wrong_token_is_401_and_audited(clinician) -> None:
    client = token_client(clinician)
    assert client.get("/api/cases").status_code == 200
    api_token_revoke(token=ApiToken.objects.get(), actor=None)
    refused = client.get("/api/cases")
    assert refused.status_code == 401 and refused.json()["error"] == "authentication_failed"
    assert refused["WWW-Authenticate"].startswith("Token")
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/cases").status_code == 401
    assert AuditEntry.objects.filter(action="access.denied", target="api token").count() == 2


def test_token_of_someone_no_longer_staff_stops_working(clinician) -> None:
    client = token_client(clinician)
    clinician.groups.clear()
    assert client.get("/api/cases").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "code"),
    [
        ("get", "/api/nowhere", None, None, 404, "not_found"),
        ("delete", "/api/cases", None, None, 405, "method_not_allowed"),
        (
            "post",
            "/api/cases/{id}/transitions",
            "transition=hold",
            "text/plain",
            415,
            "unsupported_media_type",
        ),
        (
            "post",
            "/api/cases/{id}/transitions",
            "[1]",
            "application/json",
            400,
            "validation_failed",
        ),
        ("get", "/api/cases?state=flying", None, None, 400, "validation_failed"),
        ("get", "/api/cases?page=9", None, None, 404, "not_found"),
        ("get", "/api/cases?page_size=0", None, None, 400, "validation_failed"),
        ("get", "/api/followups?due_before=yesterday", None, None, 400, "validation_failed"),
    ],
)
def test_every_error_is_the_json_error_body(
    physician, method, path, body, content_type, status, code
) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    client = token_client(physician)
    kwargs = {"data": body, "content_type": content_type} if body is not None else {}
    response = getattr(client, method)(path.format(id=case.pk), **kwargs)
    assert response.status_code == status
    assert response.json()["error"] == code and response.json()["message"]
    assert CaseFactory._meta.model.objects.get(pk=case.pk).state == CaseState.EVALUATION


def test_case_list_filters_and_pages(physician, patient_user) -> None:
    CaseFactory.create_batch(3, state=CaseState.EVALUATION)
    active = CaseFactory(state=CaseState.ACTIVE, physician=physician)
    own = CaseFactory(patient__user=patient_user)
    client = token_client(physician)
    assert client.get("/api/cases").json()["count"] == 5
    page = client.get("/api/cases?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    assert [c["id"] for c in client.get("/api/cases?state=active").json()["results"]] == [active.pk]
    by_physician = client.get(f"/api/cases?physician={physician.pk}").json()["results"]
    assert [c["id"] for c in by_physician] == [active.pk]
    by_patient = client.get(f"/api/cases?patient={own.patient_id}").json()["results"]
    assert by_patient[0]["patient"] == {
        "id": own.patient_id,
        "name": own.patient.full_name,
        "mrn": own.patient.mrn,
    }
    mine = Client()
    mine.force_login(patient_user)
    assert [c["id"] for c in mine.get("/api/cases").json()["results"]] == [own.pk]


def test_patients_search_and_detail_is_audited(admin_staff) -> None:
    case = CaseFactory(patient__given_name="Marisol", patient__family_name="Quintero")
    CaseFactory()
    client = token_client(admin_staff)
    found = client.get("/api/patients?name=sol quin").json()["results"]
    assert [p["mrn"] for p in found] == [case.patient.mrn]
    assert client.get(f"/api/patients?mrn={case.patient.mrn.lower()}").json()["count"] == 1
    detail = client.get(f"/api/patients/{case.patient_id}").json()
    assert detail["date_of_birth"] == str(case.patient.date_of_birth)
    assert AuditEntry.objects.filter(action="patient.view", patient_id=case.patient_id).exists()


def test_transitions_allowed_and_performed(physician) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    client = token_client(physician)
    response = client.post(
        f"/api/cases/{case.pk}/transitions",
        {"transition": "hold", "reason": "travel", "expected_state": "evaluation"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "on_hold"
    body = client.get(f"/api/cases/{case.pk}/transitions").json()
    assert {t["name"] for t in body["allowed"]} == {"resume", "withdraw", "mark_ineligible"}
    assert body["performed"] == [
        {
            "seq": body["performed"][0]["seq"],
            "at": body["performed"][0]["at"],
            "actor": f"{physician.get_full_name()} ({physician.username})",
            "transition": "hold",
            "from_state": "evaluation",
            "to_state": "on_hold",
            "reason": "travel",
        }
    ]


def test_followups_listed_by_case_and_filtered(clinician) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from planning.followups.models import FollowUp

    case = CaseFactory(state=CaseState.ACTIVE)
    now = timezone.now()
    for n, status in enumerate(["scheduled", "due", "completed"]):
        FollowUp.objects.create(
            case=case,
            kind="custom",
            key=f"k{n}",
            status=status,
            due_at=now + timedelta(days=n),
            window_ends_at=now + timedelta(days=n + 1),
        )
    client = token_client(clinician)
    assert client.get(f"/api/cases/{case.pk}/followups").json()["count"] == 3
    due = client.get("/api/followups?status=due").json()["results"]
    assert [f["status"] for f in due] == ["due"] and due[0]["case_id"] == case.pk
    later = (now + timedelta(hours=12)).isoformat().replace("+00:00", "Z")
    assert client.get("/api/followups", {"due_after": later}).json()["count"] == 2


def test_docs_and_schema_are_served_from_local_files() -> None:
    client = Client()
    schema = client.get("/api/schema?format=json")
    assert (
        schema.status_code == 200 and "/api/cases/{case_id}/transitions" in schema.json()["paths"]
    )
    html = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in s for s in sources)
    assert all(s.startswith("/static/") or s.startswith("/api/docs?script") for s in sources), (
        sources  # no CDN, no fonts host
    )
    assert "<script>" not in html  # no inline script, so a strict CSP allows the page
    script = client.get("/api/docs?script")
    assert script.status_code == 200 and "/api/schema" in script.content.decode()
