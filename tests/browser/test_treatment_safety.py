"""In Chromium: a nurse sees the open alert on the session page and cannot record the dose; the
physician records a decision; the dose can then be recorded. The intake forms' progressive
enhancement: C-SSRS follow-up questions appear only after a "yes", a fourth trial row."""

from __future__ import annotations

import pytest
from django.utils import timezone

from planning.intake.services import alert_raise
from planning.pathway.states import CaseState
from planning.treatment.models import TreatmentSession
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, CaseFactory, satisfy_intake
from tests.planning.treatment.helpers import active_case, next_session, predose


def _record_dose(page, session_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(session_url)
    form = page.locator("form#dosing")
    form.get_by_label("Dosing started at").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Dose given (mg)").fill("36.25")
    form.get_by_label("Lot number").fill("LOT-B1")
    form.get_by_role("button", name="Save the dose given").click()


@pytest.mark.django_db(transaction=True)
def test_an_open_alert_stops_the_nurse_until_the_physician_decides(
    page, physician, clinician, artifacts
) -> None:
    case = active_case(physician, given_name="Mira")
    session = next_session(case)
    predose(case, clinician, session)
    alert_raise(case=case, message="PHQ-9 item 9 answered 2 at the weekly check")
    session_url = f"/cases/{case.pk}/sessions/{session.pk}/"

    sign_in(page, clinician.username, PASSWORD)
    page.goto(session_url)
    alert = page.get_by_test_id("safety-alert")
    assert "PHQ-9 item 9 answered 2" in alert.inner_text() and "raised" in alert.inner_text()
    assert alert.evaluate("e => getComputedStyle(e).borderLeftColor || getComputedStyle(e).color")
    assert page.get_by_test_id("gate-problems").is_visible()
    assert page.get_by_test_id("alert-decide").count() == 0  # nurses do not decide
    assert_accessible(page, "session page with an open alert")
    page.screenshot(path=str(artifacts / "session-open-alert.png"), full_page=True)
    page.goto(f"/cases/{case.pk}/")
    header_alert = page.get_by_test_id("open-alerts")
    assert header_alert.is_visible() and "PHQ-9 item 9 answered 2" in header_alert.inner_text()
    page.screenshot(path=str(artifacts / "case-header-alert.png"))
    page.goto("/cases/")
    assert "1 open safety alert, raised" in page.get_by_test_id("alert-badge").inner_text()
    page.screenshot(path=str(artifacts / "board-alert.png"))
    _record_dose(page, session_url)
    assert "Recording the dose is refused" in page.content()
    assert TreatmentSession.objects.get(pk=session.pk).dose_given_mg is None
    page.screenshot(path=str(artifacts / "session-dose-refused.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, physician.username, PASSWORD)
    page.goto(session_url)
    decide = page.get_by_test_id("alert-decide")
    decide.get_by_label("Continue treatment").check()
    decide.get_by_label("Reason (required)").fill("Seen today; passive thoughts, no plan.")
    decide.get_by_label("Your user ID").fill(physician.username)
    decide.get_by_label("Re-enter your password to sign").fill(PASSWORD)
    decide.get_by_role("button", name="Sign and record the decision").click()
    assert "Decision recorded." in page.content()
    assert page.get_by_test_id("safety-alert").count() == 0

    page.context.clear_cookies()
    sign_in(page, clinician.username, PASSWORD)
    _record_dose(page, session_url)
    assert "Saved." in page.content()
    assert TreatmentSession.objects.get(pk=session.pk).dose_given_mg is not None
    page.screenshot(path=str(artifacts / "session-dose-recorded.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_cssrs_follow_ups_appear_after_yes_and_a_fourth_trial_row(
    page, clinician, artifacts
) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    satisfy_intake(case, "complete_consultation")
    sign_in(page, clinician.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/intake/evaluation/")
    follow_up = page.locator('fieldset[data-shown-when="cssrs_screener__cssrs_2"]').first
    assert not follow_up.is_visible()
    q2 = page.locator('input[name="cssrs_screener__cssrs_2"][value="1"]')
    q2.check()
    follow_up.wait_for(state="visible")  # shown by the script on the change event
    follow_up.locator('input[value="1"]').check()
    page.screenshot(path=str(artifacts / "evaluation-cssrs-yes.png"), full_page=True)
    page.locator('input[name="cssrs_screener__cssrs_2"][value="0"]').check()
    follow_up.wait_for(state="hidden")
    assert follow_up.locator('input[value="1"]').is_checked() is False

    other = CaseFactory(state=CaseState.CONSULTATION)
    page.goto(f"/cases/{other.pk}/intake/consultation/")
    page.get_by_role("button", name="Add another trial").click()
    assert page.locator("#id_trials-TOTAL_FORMS").input_value() == "4"
    page.locator("#id_trials-3-drug").fill("Bupropion")
    page.locator("#id_trials-3-dose_mg").fill("300")
    page.locator("#id_trials-3-weeks").fill("8")
    page.locator("#id_trials-3-response").select_option("none")
    page.get_by_label("Presenting symptoms").fill("Low mood for two years")
    page.get_by_label("Duration of symptoms (months)").fill("24")
    page.screenshot(path=str(artifacts / "consultation-fourth-trial.png"), full_page=True)
    page.get_by_role("button", name="Save consultation").click()
    assert page.get_by_test_id("case-state").is_visible()
    from planning.intake.models import Consultation

    assert [t.drug for t in Consultation.objects.get(case=other).trials.all()] == ["Bupropion"]
