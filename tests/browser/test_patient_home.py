"""The patient's page on a phone (390x844, Chromium): where things stand, the next session,
the clinic's contact, their records; nothing wider than the screen; "Download all my records"
downloads a ZIP of their PDFs; axe-core finds no serious or critical problem."""

from __future__ import annotations

import io
import zipfile

import pytest

from consent.models import ConsentSignature
from core.models import ClinicSettings
from core.roles import Role
from records.models import RecordKind
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.factories import PASSWORD
from tests.planning.treatment.helpers import active_case
from tests.support.records import stored_record


@pytest.mark.django_db(transaction=True)
def test_patient_home_on_a_phone(phone_page, artifacts) -> None:
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(
        contact_phone="+1 555 0100",
        contact_email="care@clinic.example",
        crisis_line="call or text 988 at any hour",
        session_place="12 Quay Street, Treatment Suite B",
    )
    physician = make_user(Role.PHYSICIAN)
    user = make_user(Role.PATIENT, username="phone.patient")
    case = active_case(physician, user=user)
    signature = ConsentSignature.objects.get(case_id=case.pk)
    record = stored_record(
        RecordKind.CONSENT,
        signature.pk,
        case_id=case.pk,
        patient_id=case.patient_id,
        data=b"%PDF-1.7 stand-in",
    )
    page = phone_page
    sign_in(page, "phone.patient", PASSWORD)
    assert page.url.endswith("/me/")
    assert "You are in treatment." in page.get_by_test_id("where-things-stand").inner_text()
    session = page.get_by_test_id("next-session").inner_text()
    assert "12 Quay Street" in session and "Driving" in session
    assert "+1 555 0100" in page.get_by_test_id("clinic-contact").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for link in (page.get_by_test_id("download-record"), page.get_by_test_id("withdraw-consent")):
        box = link.first.bounding_box()
        assert box is not None and box["height"] >= 44, box  # a thumb's tap target
    assert_accessible(page, "patient home")
    page.screenshot(path=str(artifacts / "patient-home-phone.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("download-all").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert [n for n in archive.namelist() if n.endswith(".pdf")] == [
        f"records/consent-{signature.pk}-v1-consent-{signature.pk}.pdf"
    ]
    assert record.sha256 in archive.read("summary.html").decode()
