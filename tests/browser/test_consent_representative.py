"""A legally authorised representative signs for the patient on a phone: the link opens with
the PATIENT's date of birth, "Who is signing?" reveals the representative's fields and swaps the
statement to tick, a missing authority is refused at the top and taken to its field, and the
sealed PDF names the representative, their relationship and their authority."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from consent.models import ConsentSignature
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.render import pdf_text
from records.validation import verify_pdf
from tests.browser.conftest import assert_accessible
from tests.browser.test_consent_signing import (  # noqa: F401 (fixtures)
    _draw_signature,
    seal_files,
    signing_link,
    signing_link_cert,
    walk_to_review,
)
from tests.support.records import pdf_of


def _to_review(page: Any, link: str) -> None:
    page.goto(link)
    walk_to_review(page)  # with the patient's date of birth, not the representative's


@pytest.mark.django_db(transaction=True)
def test_a_representative_signs_for_the_patient_on_a_phone(
    phone_page: Any,
    signing_link: Any,  # noqa: F811
    artifacts: Path,
) -> None:
    case, link = signing_link
    page = phone_page
    _to_review(page, link)

    # The patient signs by default; the representative's part is hidden until chosen.
    fields = page.get_by_test_id("representative-fields")
    assert not fields.is_visible()
    assert page.get_by_test_id("intent-patient").is_visible()
    assert not page.get_by_test_id("intent-representative").is_visible()
    page.get_by_label("I sign on the patient's behalf as their legally authorised").check()
    # (The script shows them on the change event: wait for it, a loaded machine is slow.)
    fields.wait_for(state="visible")
    page.get_by_test_id("intent-representative").wait_for(state="visible")
    page.get_by_test_id("intent-patient").wait_for(state="hidden")
    assert (
        "on behalf of Wren Østergaard" in page.get_by_test_id("intent-representative").inner_text()
    )
    assert_accessible(page, "review and sign as a representative")

    page.get_by_label("Your full name (the representative)").fill("Maja Østergaard")
    page.get_by_label("Your relationship to the patient").fill("mother")
    page.get_by_test_id("signer-role").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "consent-representative-phone-fields.png"))
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    _draw_signature(page)
    assert page.evaluate("window.pathwaySignaturePad.isEmpty()") is False
    page.get_by_label("Type your full name").fill("Maja Østergaard")
    page.get_by_label("I intend to sign.").check()
    page.get_by_role("button", name="Sign the consent document").click()

    # No authority chosen: refused at the top, taken to the field, the choice kept.
    refused = page.get_by_test_id("sign-refused")
    refused.wait_for()
    assert "authority" in refused.inner_text()
    page.wait_for_function("document.activeElement.id === 'id_representative_authority'")
    assert page.get_by_test_id("representative-fields").is_visible()
    assert (
        page.get_by_label("Your full name (the representative)").input_value() == "Maja Østergaard"
    )
    page.screenshot(path=str(artifacts / "consent-representative-phone-refused.png"))
    assert not ConsentSignature.objects.exists()

    page.get_by_label("Your authority to consent for the patient").select_option("parent")
    page.get_by_label("Details or reference").fill("Birth certificate 1234")
    page.get_by_label("I intend to sign.").check()
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "consent-representative-phone-sign.png"))
    page.get_by_role("button", name="Sign the consent document").click()

    assert "you have signed" in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=str(artifacts / "consent-representative-phone-done.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
    signature = ConsentSignature.objects.get(case_id=case.pk)
    assert (signature.representative_name, signature.representative_relationship) == (
        "Maja Østergaard",
        "mother",
    )
    assert signature.representative_authority == "parent"

    href = page.get_by_test_id("download-copy").get_attribute("href")
    pdf = page.request.get(href).body()
    assert pdf == pdf_of(RecordKind.CONSENT, signature.pk)
    assert verify_pdf(pdf, trust_root_pem=signing_link_cert(page)).ok
    text = " ".join(pdf_text(pdf).split())
    assert (
        "Signed by Maja Østergaard, mother, as the patient's legally authorised representative "
        "(Parent or legal guardian of a minor: Birth certificate 1234) on behalf of Wren Østergaard"
    ) in text
    (artifacts / "consent-representative.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "60", str(artifacts / "consent-representative.pdf"),  # noqa: S607
         str(artifacts / "consent-representative-pdf")],
        check=True,
    )  # fmt: skip
    pages = sorted(artifacts.glob("consent-representative-pdf*.png"))
    assert pages and all(p.stat().st_size > 5_000 for p in pages)
