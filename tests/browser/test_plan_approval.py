"""A physician reviews a dosing plan and approves it with an electronic signature (user ID and
password at the session's first signing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.models import DosingPlan
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, CaseFactory, satisfy_intake


@pytest.mark.django_db(transaction=True)
def test_physician_writes_reviews_and_signs_the_plan(page, physician, sealing, artifacts) -> None:
    case = CaseFactory(state=CaseState.PLAN_PENDING, patient__given_name="Ivo")
    satisfy_intake(case, "complete_evaluation")
    sign_in(page, physician.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("next-step").get_by_role("link", name="Write the dosing plan").click()

    page.get_by_label("Route", exact=True).select_option("iv")
    page.get_by_label("Dose (mg/kg for weight-based routes, mg otherwise)").fill("0.5")
    page.get_by_label("Number of sessions").fill("6")
    page.get_by_label("Frequency", exact=True).select_option("twice weekly")
    start = timezone.localdate() + timedelta(days=3)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_test_id("dose-mg").inner_text() == "36.25 mg"

    page.get_by_label("Your user ID").fill(physician.username)
    page.get_by_label("Re-enter your password to sign").fill("wrong password")
    page.get_by_role("button", name="Sign and approve").click()
    assert "password is not correct" in page.content()
    assert DosingPlan.objects.get(case=case).status == "draft"

    page.get_by_label("Your user ID").fill(physician.username)
    page.get_by_label("Re-enter your password to sign").fill(PASSWORD)
    page.screenshot(path=str(artifacts / "plan-review.png"), full_page=True)
    page.get_by_role("button", name="Sign and approve").click()
    assert page.get_by_test_id("case-state").inner_text() == "Active treatment"
    assert "approved as treating physician" in page.get_by_test_id("current-plan").inner_text()
    assert Case.objects.get(pk=case.pk).state == CaseState.ACTIVE
