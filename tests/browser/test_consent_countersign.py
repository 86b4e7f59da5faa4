"""In the clinic, on a tablet: a staff member opens a signed consent that awaits its witness's
countersignature from the case page, the witness prints their name and draws their signature,
and the case moves on with the consent sealed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from consent.models import (
    ConsentCountersignature,
    ConsentDocument,
    ConsentRequest,
    ConsentSignature,
)
from consent.signature_checks import check_signature
from consent.text import sha256_hex
from core.roles import Role
from demo.consent import consent_demo_document_seed, demo_signature
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.render import pdf_text
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_consent_signing import _draw_signature, seal_files  # noqa: F401
from tests.conftest import make_user
from tests.consent.helpers import make_link
from tests.factories import PASSWORD, CaseFactory
from tests.support.records import pdf_of


def _awaiting_witness(case: Case) -> ConsentSignature:
    """A representative's signature that awaits a witness (as the signing service writes it)."""
    document = ConsentDocument.objects.get(kind=ConsentDocument.KIND_TREATMENT)
    version = document.versions.get(published_at__isnull=False, source_version=None)
    request = ConsentRequest.objects.create(
        patient=case.patient,
        case_id=case.pk,
        document=document,
        link=make_link(case.patient, case_id=case.pk),
        status=ConsentRequest.Status.SIGNED,
    )
    drawn = check_signature(*demo_signature())
    return ConsentSignature.objects.create(
        request=request,
        version=version,
        patient=case.patient,
        case_id=case.pk,
        document_html="<p>The consent text.</p>",
        document_sha256=sha256_hex("<p>The consent text.</p>"),
        typed_name="Maja Østergaard",
        meaning="Informed consent to treatment, signed for the patient by their representative",
        intent_statement="I, Maja Østergaard (mother), sign on behalf of Wren Østergaard ...",
        image_png=drawn.png,
        strokes=drawn.strokes,
        signer_role="representative",
        representative_name="Maja Østergaard",
        representative_relationship="mother",
        representative_authority="guardian",
        countersignature_required="witness",
    )


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
        signature = _awaiting_witness(case)
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
