"""In the clinic, on a tablet: a staff member opens a signed consent that awaits its witness's
countersignature from the case page, the witness prints their name and draws their signature,
and the case moves on with the consent sealed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from consent.models import (
    ConsentCountersignature,
)
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.render import pdf_text
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_consent_signing import _draw_signature, seal_files  # noqa: F401
from tests.conftest import make_user
from tests.consent.helpers import awaiting_countersignature_for
from tests.factories import PASSWORD, CaseFactory
from tests.support.records import pdf_of


@pytest.mark.django_db(transaction=True)
def test_staff_capture_a_witness_countersignature_on_a_tablet(
    page: Any,
    settings: Any,
    seal_files: tuple[Path, Path],  # noqa: F811
    artifacts: Path,
) -> None:
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = seal_files
    settings.SEAL_TRUST_ROOT_PATH = ""
    from workers.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        consent_demo_document_seed(actor=make_user(Role.CLINIC_ADMIN))
        case = CaseFactory(
            state=CaseState.CONSENT_PENDING,
            patient__given_name="Wren",
            patient__family_name="Østergaard",
        )
        signature = awaiting_countersignature_for(case, "witness")
        nurse = make_user(Role.CLINICIAN, first_name="Tove", last_name="Lind")
        page.set_viewport_size({"width": 820, "height": 1180})
        sign_in(page, nurse.username, PASSWORD)
        page.goto(f"/cases/{case.pk}/")
        assert page.get_by_test_id("awaiting-countersignature").is_visible()
        assert (
            "Maja Østergaard, mother"
            in page.get_by_test_id("signed-by-representative").inner_text()
        )
        page.get_by_test_id("countersign-link").click()
        page.get_by_test_id("countersign-page").wait_for()
        assert (
            "on behalf of Wren Østergaard" in page.get_by_test_id("countersign-signer").inner_text()
        )
        assert_accessible(page, "witness countersignature")

        page.get_by_label("The witness's full name (printed)").fill("Petra Holm")
        page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
        _draw_signature(page)
        page.get_by_label("I witnessed Maja Østergaard sign this consent.").check()
        page.screenshot(path=str(artifacts / "consent-witness-tablet.png"), full_page=True)
        page.get_by_role("button", name="Record the witness's signature").click()
        page.get_by_test_id("countersigned").wait_for()
        page.screenshot(path=str(artifacts / "consent-witness-done-case.png"), full_page=True)

        counter = ConsentCountersignature.objects.get()
        assert (counter.witness_name, counter.staff, counter.kind) == (
            "Petra Holm",
            nurse,
            "witness",
        )
        assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
        text = " ".join(pdf_text(pdf_of(RecordKind.CONSENT, signature.pk)).split())
        assert "Countersignature of the witness" in text and "Petra Holm" in text
        assert "Signed by Maja Østergaard, mother" in text
    finally:
        app.conf.task_always_eager = before
