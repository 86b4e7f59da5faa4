"""A Spanish-speaking patient signs the Spanish translation of the consent document on a phone:
every page is in Spanish, a refused signature says why at the top and takes the patient to the
field, the done page shows the download by itself once the copy is sealed, and the sealed PDF
is in Spanish, names its language and the English source version, verifies against the test
PKI, and its audit page is in Spanish."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from consent.models import ConsentSignature, ConsentVersion
from consent.services import consent_pdf_ensure, consent_request_create
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.validation import verify_pdf
from tests.browser.test_consent_signing import VENDOR, _draw_signature
from tests.conftest import ARTIFACTS, make_user
from tests.conftest import TestPki as Pki
from tests.factories import CaseFactory


@pytest.fixture
def spanish_link(sealing: Any, test_pki: Pki, monkeypatch: pytest.MonkeyPatch) -> Any:
    if not VENDOR.exists():
        pytest.fail("signature_pad is not built: run consent/frontend/build.sh (bootstrap does)")
    # The sealed copy is made by the test below while the done page is open, as a worker would.
    monkeypatch.setattr("consent.services.queue_consent_pdf", lambda signature_id: None)
    consent_demo_document_seed(actor=make_user(Role.CLINIC_ADMIN))
    case = CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__given_name="Lucía",
        patient__family_name="Peña Ortiz",
        patient__email="lucia@example.invalid",
        patient__preferred_language="es",
    )
    _, token = consent_request_create(case_id=case.pk, actor=make_user(Role.ADMIN_STAFF))
    return case, reverse("consent_link", args=[token])


def _shot(page: Any, name: str) -> None:
    folder = ARTIFACTS / "consent-es"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _pdftotext(pdf: bytes, folder: Path) -> str:
    (folder / "es.pdf").write_bytes(pdf)
    subprocess.run(["pdftotext", "-layout", str(folder / "es.pdf")], check=True)  # noqa: S603,S607
    return (folder / "es.txt").read_text(encoding="utf-8")


def _to_review(page: Any, link: str) -> None:
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "es"
    _shot(page, "01-dob")
    page.get_by_label("Su fecha de nacimiento").fill("1985-05-20")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_label("He leído este aviso").check()
    page.get_by_role("button", name="Acepto — continuar").click()
    assert "Consentimiento para el tratamiento" in page.get_by_role("heading", level=1).inner_text()
    _shot(page, "02-read")
    page.locator("#doc-end").scroll_into_view_if_needed()
    page.get_by_role("button", name="Lo he leído — continuar").click()
    page.get_by_label("Al día siguiente, después de una noche completa de sueño").check()
    page.get_by_label("Una persona adulta me lleva a casa").check()
    page.get_by_label("Sí, en cualquier momento, sin perder otra atención").check()
    page.get_by_role("button", name="Comprobar mis respuestas").click()


@pytest.mark.django_db(transaction=True)
def test_spanish_patient_signs_the_spanish_version_on_a_phone(
    phone_page: Any, spanish_link: Any, test_pki: Pki, tmp_path: Path
) -> None:
    case, link = spanish_link
    page = phone_page
    _to_review(page, link)

    # Review: a summary in Spanish; the full text behind one tap.
    summary = page.get_by_test_id("review-summary").inner_text()
    assert "traducción de la versión v1" in summary and "Su derecho a retirarse" in summary
    _shot(page, "03-review")
    page.get_by_text("Mostrar el texto completo que va a firmar").click()
    assert "Lucía Peña Ortiz" in page.get_by_test_id("signing-document").inner_text()
    page.get_by_text("Mostrar el texto completo que va a firmar").click()

    # A refused signature: the reason at the top, and the page takes the patient to the field.
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    _draw_signature(page)
    page.get_by_label("Escriba su nombre completo").fill("Lucia Otra")
    page.get_by_label("Tengo intención de firmar.").check()
    page.get_by_role("button", name="Firmar el documento de consentimiento").click()
    refused = page.get_by_test_id("sign-refused")
    assert "Su firma no se ha registrado" in refused.inner_text()
    assert "no coincide" in refused.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_typed_name"
    assert page.evaluate("window.pathwaySignaturePad.isEmpty()") is False  # the drawing is kept
    _shot(page, "04-refused")
    assert not ConsentSignature.objects.exists()

    page.get_by_label("Escriba su nombre completo").fill("lucia pena ortiz")
    if not page.get_by_label("Tengo intención de firmar.").is_checked():
        page.get_by_label("Tengo intención de firmar.").check()
    page.get_by_role("button", name="Firmar el documento de consentimiento").click()

    # Done: the copy is still being sealed; the page shows the download by itself.
    assert "ha firmado" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_test_id("copy-pending").is_visible()
    _shot(page, "05-done-pending")
    signature = ConsentSignature.objects.select_related("version").get(case_id=case.pk)
    assert signature.version.language == "es" and signature.version.source_version is not None
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
    consent_pdf_ensure(signature_id=signature.pk)
    page.get_by_test_id("download-copy").wait_for(timeout=15_000)
    _shot(page, "06-done-ready")

    pdf = page.request.get(page.get_by_test_id("download-copy").get_attribute("href")).body()
    assert verify_pdf(pdf, trust_root_pem=test_pki.root.read_bytes()).ok
    pages = _pdftotext(pdf, tmp_path).split("\f")
    text = " ".join(" ".join(pages).split())
    source = ConsentVersion.objects.get(pk=signature.version.source_version_id)
    assert "Consentimiento para el tratamiento con ketamina y esketamina" in text
    assert "Español" in text and "Traducción de" in text
    assert f"versión original {source.label}" in text and source.body_sha256[:16] in text
    assert "Página 1 de" in text
    audit_page = " ".join([p for p in pages if p.strip()][-1].split())
    for spanish in ("Registro de auditoría", "Cuándo", "Evento", "Hash de la entrada"):
        assert spanish in audit_page
    assert "Audit trail" not in text and "Signed by" not in text
    (ARTIFACTS / "consent-es" / "consent-es.pdf").write_bytes(pdf)
