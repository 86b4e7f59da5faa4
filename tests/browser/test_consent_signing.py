"""A patient signs on a phone-sized screen: date of birth, disclosure, reading to the end,
questions, review, a signature drawn with the pointer that survives an orientation change, and
the sealed PDF. axe-core finds no serious or critical problems on the signing pages."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from consent.models import ConsentSignature
from consent.services import consent_request_create
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.sealing import make_self_signed_certificate
from records.validation import verify_pdf
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user
from tests.factories import CaseFactory
from tests.support.records import pdf_of

VENDOR = Path(__file__).resolve().parents[2] / "static/consent/vendor/signature_pad.umd.min.js"


@pytest.fixture(scope="module")
def seal_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("seal")
    key_pem, cert_pem = make_self_signed_certificate(common_name="Browser Clinic", organization="T")
    (folder / "key.pem").write_bytes(key_pem)
    (folder / "cert.pem").write_bytes(cert_pem)
    return folder / "key.pem", folder / "cert.pem"


@pytest.fixture
def signing_link(settings: Any, seal_files: tuple[Path, Path]) -> Any:
    if not VENDOR.exists():
        pytest.fail("signature_pad is not built: run consent/frontend/build.sh (bootstrap does)")
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = seal_files
    settings.SEAL_TRUST_ROOT_PATH = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from workers.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    consent_demo_document_seed(actor=make_user(Role.CLINIC_ADMIN))
    case = CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__given_name="Wren",
        patient__family_name="Østergaard",
        patient__email="wren@example.invalid",
    )
    _, token = consent_request_create(case_id=case.pk, actor=make_user(Role.ADMIN_STAFF))
    yield case, reverse("consent_link", args=[token])
    app.conf.task_always_eager = before


def _draw_signature(page: Any) -> None:
    box = page.get_by_test_id("signature-pad").bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 30):
        page.mouse.move(x0 + i * box["width"] * 0.022, y0 - 25 * ((i % 6) / 5), steps=2)
    page.mouse.up()
    page.mouse.move(x0 + 20, y0 + 12)
    page.mouse.down()
    page.mouse.move(x0 + box["width"] * 0.6, y0 + 8, steps=12)
    page.mouse.up()


def walk_to_review(page: Any, date_of_birth: str = "1985-05-20") -> None:
    """From the date-of-birth page of the demo document to its review step, as a patient who
    answers every question correctly (the English demo consent)."""
    page.get_by_label("Your date of birth").fill(date_of_birth)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I have read this notice").check()
    page.get_by_role("button", name="I agree — continue").click()
    page.locator("#doc-end").scroll_into_view_if_needed()
    page.get_by_role("button", name="I have read it — continue").click()
    page.get_by_label("The next day, after a full night's sleep").check()
    page.get_by_label("An adult takes me home").check()
    page.get_by_label("Yes, at any time, without losing other care").check()
    page.get_by_role("button", name="Check my answers").click()


@pytest.mark.django_db(transaction=True)
def test_patient_signs_on_a_phone(phone_page: Any, signing_link: Any, artifacts: Path) -> None:
    case, link = signing_link
    page = phone_page
    page.goto(link)
    assert_accessible(page, "date of birth")
    page.get_by_label("Your date of birth").fill("1985-05-20")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("I have read this notice").check()
    assert_accessible(page, "disclosure")
    page.get_by_role("button", name="I agree — continue").click()

    # Reading: the way on appears only once the end of the document has been seen.
    go_on = page.get_by_role("button", name="I have read it — continue")
    assert not go_on.is_visible()
    assert_accessible(page, "read")
    page.screenshot(path=str(artifacts / "consent-phone-read.png"))
    page.locator("#doc-end").scroll_into_view_if_needed()
    go_on.click()

    page.screenshot(path=str(artifacts / "consent-phone-questions.png"), full_page=True)
    assert_accessible(page, "questions")
    page.get_by_label("The next day, after a full night's sleep").check()
    page.get_by_label("An adult takes me home").check()
    page.get_by_label("Yes, at any time, without losing other care").check()
    page.get_by_role("button", name="Check my answers").click()

    # Review: a summary, the exact text signed one tap away (not a second long scroll).
    assert page.get_by_test_id("review-summary").is_visible()
    assert not page.get_by_test_id("signing-document").is_visible()
    page.get_by_text("Show the full text you are signing").click()
    assert "Wren Østergaard" in page.get_by_test_id("signing-document").inner_text()
    page.get_by_text("Show the full text you are signing").click()
    sign = page.get_by_role("button", name="Sign the consent document")
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    assert_accessible(page, "review and sign")
    _draw_signature(page)
    assert page.evaluate("window.pathwaySignaturePad.isEmpty()") is False
    points_before = page.evaluate("window.pathwaySignaturePad.toData().length")

    # Turning the phone (and back) keeps the drawing.
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_timeout(450)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(450)
    assert page.evaluate("window.pathwaySignaturePad.toData().length") == points_before
    assert page.evaluate("window.pathwaySignaturePad.isEmpty()") is False

    page.get_by_label("Type your full name").fill("wren ostergaard")
    page.get_by_label("I intend to sign.").check()
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "consent-phone-sign.png"))
    sign.click()

    assert "you have signed" in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=str(artifacts / "consent-phone-done.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
    signature = ConsentSignature.objects.get(case_id=case.pk)
    assert len(signature.strokes) == 2

    # The sealed copy: download it as the patient and render page 1 for people to look at.
    href = page.get_by_test_id("download-copy").get_attribute("href")
    pdf = page.request.get(href).body()
    assert pdf == pdf_of(RecordKind.CONSENT, signature.pk)
    assert verify_pdf(pdf, trust_root_pem=signing_link_cert(page)).ok
    (artifacts / "consent-browser.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",  # noqa: S607
         str(artifacts / "consent-browser.pdf"), str(artifacts / "consent-pdf-page1")],
        check=True,
    )  # fmt: skip
    assert (artifacts / "consent-pdf-page1.png").stat().st_size > 10_000


def signing_link_cert(page: Any) -> bytes:
    from django.conf import settings

    return Path(settings.SEAL_CERT_PATH).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_empty_signature_is_stopped_in_the_browser(phone_page: Any, signing_link: Any) -> None:
    _, link = signing_link
    page = phone_page
    page.goto(link)
    walk_to_review(page)
    page.get_by_label("Type your full name").fill("Wren Østergaard")
    page.get_by_label("I intend to sign.").check()
    page.get_by_role("button", name="Sign the consent document").click()
    assert "Please draw your signature" in page.locator("#signature-problem").inner_text()
    assert not ConsentSignature.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_empty_form_lists_every_problem_at_once(phone_page: Any, signing_link: Any) -> None:
    """Nothing drawn, typed or ticked: the patient learns all three in one go, not the
    drawing first and the rest on the next attempt."""
    _, link = signing_link
    page = phone_page
    page.goto(link)
    walk_to_review(page)
    page.get_by_role("button", name="Sign the consent document").click()
    page.wait_for_load_state()
    text = page.content()
    assert "Please draw your signature" in text
    assert "Please type your full name." in text
    assert "Please tick the box to confirm that you intend to sign." in text
    assert not ConsentSignature.objects.exists()
