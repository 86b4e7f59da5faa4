"""In-clinic signing on a clinic tablet, in Chromium at a tablet's size: a nurse signed in on the
tablet starts it from the case page, hands it over, the patient confirms their date of birth,
reads, answers, signs with a drawn signature and is asked to hand the tablet back; other pages
are refused meanwhile; the nurse leaves tablet mode with their password. The sealed PDF says
where and how it was signed."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from consent.models import ConsentSignature
from consent.services import consent_pdf_ensure
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.render import pdf_text
from tests.browser.conftest import CHROMIUM_FLAGS, _watch_csp, assert_accessible, sign_in
from tests.browser.test_consent_signing import VENDOR, _draw_signature, walk_to_review
from tests.conftest import ARTIFACTS, make_user
from tests.factories import PASSWORD, CaseFactory

SHOTS = ARTIFACTS / "consent-tablet"


@pytest.fixture
def tablet_page(chromium: Any, live_server: Any, _service_markers: None) -> Any:
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 820, "height": 1180},
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    refused = _watch_csp(tab)
    yield tab
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def clinic(sealing: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    if not VENDOR.exists():
        pytest.fail("signature_pad is not built: run consent/frontend/build.sh (bootstrap does)")
    assert CHROMIUM_FLAGS  # the same browser flags as every browser test
    monkeypatch.setattr("consent.services.queue_consent_pdf", lambda signature_id: None)
    consent_demo_document_seed(actor=make_user(Role.CLINIC_ADMIN))
    nurse = make_user(Role.CLINICIAN, username="nurse.tove", first_name="Tove", last_name="Lind")
    case = CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__given_name="Wren",
        patient__family_name="Østergaard",
        patient__email="wren@example.invalid",
    )
    return nurse, case


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_nurse_starts_tablet_mode_and_the_patient_signs_on_the_tablet(
    tablet_page: Any, clinic: Any
) -> None:
    nurse, case = clinic
    page = tablet_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "nurse.tove", PASSWORD)
    page.goto(reverse("pathway:case_detail", args=[case.pk]))
    page.get_by_test_id("consent-tablet-start").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "00-case-page.png"))
    page.get_by_role("button", name="Sign on a clinic tablet").click()

    # The hand-over screen: the patient's name, none of the nurse's pages.
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Please hand the tablet to Wren"
    assert page.get_by_test_id("who").count() == 0
    assert page.get_by_role("link", name="Case board").count() == 0
    assert "/consent/s/" not in page.url
    _shot(page, "01-handover")
    assert_accessible(page, "hand-over")
    page.get_by_test_id("tablet-begin").click()

    # Another page while the tablet is in signing mode: refused.
    page.goto(reverse("pathway:case_board"))
    assert page.get_by_test_id("tablet-refused").is_visible()
    _shot(page, "02-refused")
    page.go_back()

    walk_to_review(page)

    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    _draw_signature(page)
    assert page.evaluate("window.pathwaySignaturePad.isEmpty()") is False
    page.get_by_label("Type your full name").fill("Wren Østergaard")
    page.get_by_label("I intend to sign.").check()
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    _shot(page, "03-review-sign")
    page.get_by_role("button", name="Sign the consent document").click()

    # The hand-back screen.
    assert "Your signature has been recorded" in page.get_by_role("heading", level=1).inner_text()
    back = page.get_by_test_id("tablet-handback-message").inner_text()
    assert back == "Please hand the tablet back to Tove."
    _shot(page, "04-handback")
    assert_accessible(page, "hand-back")
    signature = ConsentSignature.objects.get(case_id=case.pk)
    assert signature.channel == "tablet" and signature.channel_started_by == nurse
    assert len(signature.strokes) == 2
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING

    # The nurse leaves tablet mode: a wrong password keeps it, the right one ends it.
    page.get_by_test_id("tablet-exit-link").click()
    page.get_by_label("Your password").fill("wrong password")
    page.get_by_role("button", name="Leave tablet mode").click()
    assert "The password is not correct" in page.locator("#password-error").inner_text()
    _shot(page, "05-exit-refused")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Leave tablet mode").click()
    assert page.get_by_text("Tablet mode ended").is_visible()
    assert page.get_by_test_id("who").inner_text().startswith("Tove Lind")
    assert "on a clinic tablet" in page.get_by_test_id("consent-requests").inner_text()
    _shot(page, "06-case-page-after")

    # The sealed record says where and how it was signed.
    record = consent_pdf_ensure(signature_id=signature.pk)
    from records.selectors import record_content

    pdf = record_content(record)
    text = " ".join(pdf_text(pdf).split())
    assert "in the clinic, on a clinic tablet, started by Tove Lind" in text
    assert "Tove Lind started signing in the clinic on a clinic tablet" in text
    (SHOTS / "consent-tablet.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "60", str(SHOTS / "consent-tablet.pdf"),  # noqa: S607
         str(SHOTS / "pdf")],
        check=True,
    )  # fmt: skip
    assert any(Path(SHOTS).glob("pdf-*.png"))
