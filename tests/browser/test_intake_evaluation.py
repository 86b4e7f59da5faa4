"""A clinician records an evaluation with a PHQ-9 in the browser and moves the case on."""

from __future__ import annotations

import pytest

from demo.pathway import DEMO_CSSRS, DEMO_PHQ9
from planning.intake.models import QuestionnaireResponse
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, CaseFactory, satisfy_intake


@pytest.mark.django_db(transaction=True)
def test_clinician_records_evaluation_and_completes_it(page, clinician, artifacts) -> None:
    case = CaseFactory(state=CaseState.EVALUATION, patient__given_name="Juno")
    satisfy_intake(case, "complete_consultation")
    sign_in(page, clinician.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("next-step").get_by_role("link", name="Record the evaluation").click()

    page.get_by_label("Systolic blood pressure (mmHg)").fill("124")
    page.get_by_label("Diastolic blood pressure (mmHg)").fill("79")
    page.get_by_label("Heart rate (beats/min)").fill("68")
    page.get_by_label("SpO2 (%)").fill("99")
    page.get_by_label("Weight (kg)").fill("64.0")
    page.get_by_label("Height (cm)").fill("168")
    page.get_by_label("Pregnancy status").select_option("not_pregnant")
    for code, answers in (("phq9", DEMO_PHQ9), ("cssrs_screener", DEMO_CSSRS)):
        section = page.locator(f'section[data-questionnaire="{code}"]')
        for link_id, value in answers.items():
            section.locator(f'input[name="{code}__{link_id}"][value="{value}"]').check()
    for radio in page.locator('input[name^="screen__"][value="no"]').all():
        radio.check()
    page.screenshot(path=str(artifacts / "intake-evaluation-form.png"), full_page=True)
    page.get_by_role("button", name="Save evaluation").click()

    assert "Evaluation recorded." in page.get_by_role("status").inner_text()
    assert page.get_by_test_id("score-phq9").inner_text() == "16 (Moderately severe)"
    page.screenshot(path=str(artifacts / "intake-case-page.png"), full_page=True)
    page.get_by_role("button", name="Complete evaluation").click()
    assert page.get_by_test_id("case-state").inner_text() == "Medication review"
    assert Case.objects.get(pk=case.pk).state == CaseState.MEDICATION_REVIEW
    assert QuestionnaireResponse.objects.filter(case=case).count() == 2
