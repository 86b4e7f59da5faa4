"""A staff member signs in, opens a case, performs a transition, and sees it on the timeline."""

from __future__ import annotations

import pytest

from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, CaseFactory, satisfy_intake


@pytest.mark.django_db(transaction=True)
def test_clinician_moves_a_case_and_sees_it_on_the_timeline(page, clinician, artifacts) -> None:
    case = CaseFactory(patient__given_name="Wren", patient__family_name="Fictional")
    satisfy_intake(case, "complete_consultation")
    sign_in(page, clinician.username, PASSWORD)
    assert page.get_by_test_id("who").inner_text().startswith("Tove Lind")

    page.get_by_role("link", name="Wren Fictional").click()
    assert page.get_by_test_id("case-state").inner_text() == "Consultation"
    page.get_by_role("button", name="Complete consultation").click()

    assert page.get_by_test_id("case-state").inner_text() == "Evaluation"
    assert "Done: the case is now Evaluation." in page.get_by_role("status").inner_text()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Tove Lind moved the case from Consultation to Evaluation" in timeline
    page.screenshot(path=str(artifacts / "staff-case-after-transition.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).state == CaseState.EVALUATION


@pytest.mark.django_db(transaction=True)
def test_admin_staff_opens_a_case_for_a_new_patient(page, admin_staff, physician) -> None:
    sign_in(page, admin_staff.username, PASSWORD)
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Given name").fill("Ottilie")
    page.get_by_label("Family name").fill("Fictional")
    page.get_by_label("Date of birth").fill("1988-07-01")
    page.get_by_label("Medical record number").fill("BROWSER-1")
    page.get_by_label("Treating physician").select_option(label=physician.display_name)
    page.get_by_role("button", name="Open case").click()
    assert page.get_by_test_id("case-state").inner_text() == "Consultation"
    assert "opened the case" in page.get_by_test_id("timeline").inner_text()
    assert Case.objects.get(patient__mrn="BROWSER-1").physician == physician


@pytest.mark.django_db(transaction=True)
def test_hold_needs_a_reason_in_the_browser(page, admin_staff) -> None:
    case = CaseFactory()
    sign_in(page, admin_staff.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_text("More steps").click()
    form = page.locator('form[data-transition="hold"]')
    form.get_by_label("Why put on hold? (required)").fill("Patient travelling for two weeks")
    form.get_by_role("button", name="Put on hold").click()
    assert page.get_by_test_id("case-state").inner_text() == "On hold"
    assert "Patient travelling for two weeks" in page.get_by_test_id("timeline").inner_text()
