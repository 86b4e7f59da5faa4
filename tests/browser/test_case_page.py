"""The case page in Chromium: the Next step panel, the other steps behind "More", a refused
step coming back with its reason, the timeline filtered in place; the open-case picker found
by typing. Screenshots are test artifacts; axe-core finds no serious or critical problems."""

from __future__ import annotations

import pytest

from core.audit import audit_record
from planning.pathway.states import CaseState
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, CaseFactory, PatientFactory, approve_plan, satisfy_intake

pytestmark = pytest.mark.django_db(transaction=True)


def test_physician_works_the_case_page(page, physician, artifacts) -> None:
    case = CaseFactory(
        state=CaseState.PLAN_PENDING,
        patient__given_name="Maximiliana-Fernanda Ottoline",
        patient__family_name="Featherstonehaugh-Cholmondeley-Vandersteen",
    )
    satisfy_intake(case, "complete_consultation", "complete_evaluation")
    approve_plan(case, physician)
    audit_record(
        action="record.sealed",
        actor_label="system",
        case_id=case.pk,
        target="plan:1",
        data={"kind": "plan", "owner_id": case.plans.get().pk, "version": 1},
    )
    sign_in(page, physician.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    panel = page.get_by_test_id("next-step")
    assert "Run session 1" in panel.inner_text()
    assert page.get_by_text("More steps").is_visible()
    assert not page.get_by_label("Why put on hold? (required)").is_visible()
    assert_accessible(page, "case page")
    page.screenshot(path=str(artifacts / "case-page-next-step.png"), full_page=True)

    # A refused step (the case moved meanwhile) comes back with its message and the reason.
    page.get_by_text("More steps").click()
    page.get_by_label("Why put on hold? (required)").fill("Travelling until March")
    page.locator('form[data-transition="hold"] input[name="expected_state"]').evaluate(
        "el => el.value = 'evaluation'"
    )
    page.locator('form[data-transition="hold"]').get_by_role("button").click()
    assert "changed while you were looking" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Why put on hold? (required)").input_value() == (
        "Travelling until March"
    )
    page.screenshot(path=str(artifacts / "case-page-refused-step.png"), full_page=True)

    # The timeline, in plain words, filtered in place.
    timeline = page.get_by_test_id("timeline")
    assert "Plan version 1 approved by Amara Okafor" in timeline.inner_text()
    page.evaluate("window.stillThisPage = true")
    page.get_by_label("Show").select_option("records")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=timeline] tbody tr')]"
        ".every(r => r.dataset.kind === 'records')"
    )
    assert "The dosing plan PDF was sealed" in timeline.inner_text()
    assert page.get_by_role("link", name="Sealed PDF").count() == 1
    assert page.evaluate("window.stillThisPage") is True  # swapped in place by htmx
    assert "kind=records" in page.url  # and the address keeps the filter
    page.locator("#timeline").screenshot(path=str(artifacts / "case-page-timeline-records.png"))


def test_admin_staff_find_a_patient_by_typing(page, admin_staff, artifacts) -> None:
    PatientFactory(given_name="Ada", family_name="Lovelace", mrn="OLD-7")
    sign_in(page, admin_staff.username, PASSWORD)
    page.goto("/cases/new/")
    page.evaluate("window.stillThisPage = true")
    page.get_by_label("Find a registered patient").press_sequentially("lovel", delay=30)
    page.get_by_text("record OLD-7").wait_for()
    assert page.evaluate("window.stillThisPage") is True  # search as you type, in place
    assert_accessible(page, "open a case")
    page.screenshot(path=str(artifacts / "open-case-picker.png"), full_page=True)
    page.get_by_label("Ada Lovelace").check()
    page.get_by_role("button", name="Open case").click()
    assert page.get_by_test_id("case-state").inner_text() == "Consultation"
