"""Sealed records through the API: listed by kind for who may read them, downloaded byte for
byte, every download audited like the pages'."""

from __future__ import annotations

import hashlib

import pytest

from core.models import AuditEntry
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def test_records_listed_and_downloaded_unchanged(journey_case, physician, admin_staff) -> None:
    client = token_client(physician)
    rows = client.get(f"/api/cases/{journey_case.pk}/records").json()
    assert [r["kind"] for r in rows] == ["consent", "plan"]
    for row in rows:
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = client.get(row["download"])
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == row["sha256"]
        # One audit entry per download, written by the same access function as the pages'.
        written = AuditEntry.objects.filter(seq__gt=last)
        assert written.count() == 1 and written.get().data["sha256"] == row["sha256"]
    # Admin staff see the consent record (as on the case page) but not the clinical plan.
    desk = token_client(admin_staff)
    assert [r["kind"] for r in desk.get(f"/api/cases/{journey_case.pk}/records").json()] == [
        "consent"
    ]
    plan = rows[1]
    refused = desk.get(plan["download"])
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


def test_record_of_another_case_is_not_found(journey_case, physician) -> None:
    from tests.factories import CaseFactory

    other = CaseFactory()
    client = token_client(physician)
    row = client.get(f"/api/cases/{journey_case.pk}/records").json()[0]
    response = client.get(f"/api/cases/{other.pk}/records/consent/{row['id']}")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert client.get(f"/api/cases/{journey_case.pk}/records/letter/1").status_code == 404
