"""The REMS monitoring form is a sealed record: made at sign-off, re-sealed as a new version
(never overwritten) when asked again after its data changed, unchanged otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from planning.treatment.rems import LAYOUT_VERSION
from planning.treatment.services import sessions as session_services
from records.models import RecordKind, RecordOrigin
from records.render import pdf_text
from records.selectors import record_content, record_versions
from tests.planning.treatment.helpers import active_case as _active_case
from tests.planning.treatment.helpers import discharge as _discharge
from tests.planning.treatment.helpers import run_session as _run_session

pytestmark = pytest.mark.django_db


def _signed_off(physician, clinician, on_commit):
    case = _active_case(
        physician, route="intranasal_esketamine", dose="56", frequency="twice weekly (weeks 1-4)"
    )
    session, start = _run_session(case, clinician, minutes=125, devices=2, dose="56")
    with on_commit(execute=True):
        session_services.session_sign_off(
            case=case, session_id=session.pk, actor=clinician, discharge=_discharge(start, 125)
        )
    return case, session


def test_sign_off_seals_the_form_and_a_change_makes_a_new_version(
    physician, clinician, sealing, django_capture_on_commit_callbacks
) -> None:
    case, session = _signed_off(physician, clinician, django_capture_on_commit_callbacks)
    (first,) = record_versions(RecordKind.REMS, session.pk)
    first_bytes = record_content(first)
    assert first.layout_version == LAYOUT_VERSION and first.origin == RecordOrigin.SEALED
    assert f"layout {LAYOUT_VERSION}" in pdf_text(first_bytes)

    client = Client()
    client.force_login(clinician)
    url = reverse("treatment:rems_regenerate", args=[case.pk, session.pk])
    unchanged = client.post(url, follow=True)
    assert b"Nothing changed: version 1 is current" in unchanged.content
    assert len(record_versions(RecordKind.REMS, session.pk)) == 1

    case.patient.date_of_birth -= timedelta(days=365)  # a corrected date of birth
    case.patient.save()
    changed = client.post(url, follow=True)
    assert b"Sealed version 2 of the REMS form" in changed.content
    second, again_first = record_versions(RecordKind.REMS, session.pk)
    assert second.supersedes_id == first.pk and second.origin == RecordOrigin.REGENERATED
    assert record_content(again_first) == first_bytes  # the old version is kept as it was
    download = client.get(reverse("treatment:rems_pdf", args=[case.pk, session.pk]))
    assert b"".join(download) == record_content(second)
    page = client.get(reverse("treatment:session_page", args=[case.pk, session.pk]))
    assert b"v2" in page.content and b"v1" in page.content


def test_a_session_that_is_not_signed_off_has_no_form(physician, clinician, sealing) -> None:
    case = _active_case(
        physician, route="intranasal_esketamine", dose="56", frequency="twice weekly (weeks 1-4)"
    )
    session = case.sessions.order_by("number").first()
    client = Client()
    client.force_login(clinician)
    response = client.post(reverse("treatment:rems_regenerate", args=[case.pk, session.pk]))
    assert response.status_code == 404
    assert not record_versions(RecordKind.REMS, session.pk)
