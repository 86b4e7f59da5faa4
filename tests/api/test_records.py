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


def test_every_record_kind_is_listed() -> None:
    from api.records import KINDS
    from records.models import RecordKind

    assert set(KINDS) == set(RecordKind.values)


def test_case_summary_and_rems_form_listed_and_downloaded(
    journey_case, physician, clinician, admin_staff, django_capture_on_commit_callbacks
) -> None:
    """The sealed case summary (owner: the case) and a REMS form (owner: the session) are listed
    for clinical staff and downloaded byte for byte, audited once; admin staff, who may not
    download either on the pages, neither see nor download them."""
    from planning.followups.summary import case_summary_seal
    from tests.planning.treatment.test_rems_record import _signed_off

    summary = case_summary_seal(case_id=journey_case.pk, actor=physician).record
    rems_case, session = _signed_off(physician, clinician, django_capture_on_commit_callbacks)
    client = token_client(physician)
    rows = client.get(f"/api/cases/{journey_case.pk}/records").json()
    assert [r["kind"] for r in rows] == ["consent", "plan", "case_summary"]
    row = rows[2]
    assert row["id"] == journey_case.pk and row["sha256"] == summary.sha256
    assert row["title"].startswith(f"Case summary #{journey_case.pk}")
    (rems_row,) = [
        r for r in client.get(f"/api/cases/{rems_case.pk}/records").json() if r["kind"] == "rems"
    ]
    assert rems_row["id"] == session.pk
    for listed in (row, rems_row):
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = client.get(listed["download"])
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == listed["sha256"]
        assert AuditEntry.objects.filter(seq__gt=last).count() == 1
    wrong_owner = f"/api/cases/{journey_case.pk}/records/case_summary/{journey_case.pk + 1000}"
    assert client.get(wrong_owner).status_code == 404
    desk = token_client(admin_staff)
    kinds = [r["kind"] for r in desk.get(f"/api/cases/{journey_case.pk}/records").json()]
    assert "case_summary" not in kinds
    assert desk.get(row["download"]).status_code == 403
