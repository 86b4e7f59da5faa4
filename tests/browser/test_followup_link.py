"""A patient answers the weekly PHQ-9 from the e-mailed link on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.links import link_create
from core.models import LinkPurpose
from planning.followups.models import FollowUp
from tests.browser.conftest import assert_accessible
from tests.factories import CaseFactory


@pytest.mark.django_db(transaction=True)
def test_patient_answers_phq9_on_a_phone(phone_page, artifacts) -> None:
    case = CaseFactory(patient__given_name="Mina", patient__date_of_birth="1985-05-20")
    now = timezone.now()
    link, token = link_create(
        purpose=LinkPurpose.FOLLOWUP,
        patient=case.patient,
        case_id=case.pk,
        expires_at=now + timedelta(days=2),
    )
    followup = FollowUp.objects.create(
        case=case,
        kind="phq9",
        key="browser:phq9",
        due_at=now - timedelta(minutes=5),
        window_ends_at=now + timedelta(days=2),
        status="reminded",
        link=link,
    )
    page = phone_page
    page.goto(f"/f/{token}/")
    assert_accessible(page, "date of birth")
    page.get_by_label("Your date of birth").fill("1990-01-01")
    page.get_by_role("button", name="Continue").click()
    assert "does not match" in page.get_by_role("alert").inner_text()
    page.get_by_label("Your date of birth").fill("1985-05-20")
    page.get_by_role("button", name="Continue").click()

    assert_accessible(page, "questionnaire")
    for item in range(1, 10):
        page.locator(f'input[name="phq9_{item}"][value="1"]').check()
    page.screenshot(path=str(artifacts / "followup-phq9-phone.png"), full_page=True)
    page.get_by_role("button", name="Send my answers").click()
    assert "Thank you" in page.get_by_role("heading").inner_text()
    followup.refresh_from_db()
    assert followup.status == "completed" and followup.response.total == 9
