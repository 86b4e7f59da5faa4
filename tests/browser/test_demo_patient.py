"""The demo's patient login on a phone (390x844, Chromium), after `seed_demo` as `make demo`
runs it: the home page has a case to see (treatment, next session, a questionnaire to answer,
sealed records, the score chart), nothing wider than the screen; switched to Spanish, the chart
and its sentences are in Spanish."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from demo.pathway import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in


@pytest.mark.django_db(transaction=True)
def test_demo_patient_home_on_a_phone(phone_page, artifacts, sealing, settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    page = phone_page
    sign_in(page, "patient.demo", DEMO_PASSWORD)
    assert page.url.endswith("/me/")
    assert "You are in treatment." in page.get_by_test_id("where-things-stand").inner_text()
    assert page.get_by_test_id("my-record").count() == 2
    assert page.get_by_test_id("next-session").is_visible()
    assert page.get_by_test_id("open-questionnaires").is_visible()
    assert page.get_by_test_id("patient-progress-phq9").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "demo patient home")
    page.screenshot(path=str(artifacts / "demo-patient-home-phone.png"), full_page=True)

    page.get_by_test_id("language-es").click()
    page.wait_for_load_state()
    chart = page.get_by_test_id("patient-progress-phq9").inner_text()
    assert "a lo largo del tiempo" in chart and "valor inicial" in chart
    page.screenshot(path=str(artifacts / "demo-patient-home-phone-es.png"), full_page=True)
