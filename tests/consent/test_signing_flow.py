"""The whole flow over HTTP: invitation, date of birth, disclosure, comprehension, review,
signature, transition, sealed PDF, e-mail, download and verification."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRequest, ConsentSignature
from consent.text import sha256_hex
from core.models import AuditEntry
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.render import pdf_text
from records.validation import verify_pdf
from tests.consent.flow import Patient, invite_over_http
from tests.support.records import count, latest, pdf_of

pytestmark = pytest.mark.django_db(transaction=False)


def _right_answers(document) -> dict[int, int]:
    return {q.pk: q.correct_choice for q in document.questions.all()}


def _signed(consent_case, desk, document, django_capture_on_commit_callbacks):
    link = invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    patient = Patient(link)
    review = patient.through_review("1985-05-20", _right_answers(document))
    assert review.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = patient.sign(review, name="zoe  o'hara lindqvist")
    return patient, response


def test_whole_flow_signs_moves_the_case_and_seals_a_pdf(
    consent_case, desk, document, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    patient, response = _signed(consent_case, desk, document, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"].endswith("/done/")

    case = Case.objects.get(pk=consent_case.pk)
    assert case.state == CaseState.PLAN_PENDING
    signature = ConsentSignature.objects.get(case_id=case.pk)
    assert signature.typed_name == "zoe o'hara lindqvist"
    assert signature.document_sha256 == sha256_hex(signature.document_html)
    assert signature.ip == "127.0.0.1"
    assert len(signature.strokes) == 2
    assert bytes(signature.image_png).startswith(b"\x89PNG")
    assert signature.comprehension[0]["answer"].startswith("The next day")
    assert ConsentRequest.objects.get(pk=signature.request_id).status == "signed"

    # The sealed PDF: one per signature, its hash stored, the copy-ready e-mail sent.
    record = latest(RecordKind.CONSENT, signature.pk)
    pdf = pdf_of(RecordKind.CONSENT, signature.pk)
    assert record.sha256 == sha256_hex(pdf)
    assert "ready" in mail.outbox[-1].subject
    text = pdf_text(pdf)
    version = signature.version
    for expected in ("Zoë O'Hara-Lindqvist", version.label, version.body_sha256, "Page 1 of"):
        assert expected in text
    assert "No driving, and an escort home" in text  # the full text reached the PDF
    assert "The next day, after a full night's sleep" in text  # the comprehension answers
    assert "Audit trail of this consent request" in text
    assert "consent.signed" in text
    # The audit page reads like the case page's timeline (core.timeline).
    assert f"Consent {version.label} signed by the patient" in " ".join(text.split())
    assert len(verify_pdf(pdf, trust_root_pem=Path(_cert()).read_bytes()).problems) == 0

    # The transition is on the case's trail, attributed to the signing link.
    moved = AuditEntry.objects.filter(case_id=case.pk, action="case.transition").latest("seq")
    assert moved.data["to"] == CaseState.PLAN_PENDING

    # The patient downloads their copy from the done page.
    done = patient.get("done/")
    assert b"Download your signed copy" in done.content
    download = patient.get("copy.pdf")
    assert download.status_code == 200
    assert download.content == pdf


def _cert() -> str:
    from django.conf import settings

    return str(settings.SEAL_CERT_PATH)


def test_pdf_passes_qpdf_and_one_changed_byte_fails_verify_pdf(
    consent_case, desk, document, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    _signed(consent_case, desk, document, django_capture_on_commit_callbacks)
    pdf = pdf_of(RecordKind.CONSENT, ConsentSignature.objects.get().pk)
    path = tmp_path / "consent.pdf"
    path.write_bytes(pdf)
    if shutil.which("qpdf") is None:
        pytest.fail("qpdf is required for this test (apt-get install qpdf)")
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)  # noqa: S603, S607
    assert check.returncode == 0, check.stdout + check.stderr

    out = io.StringIO()
    call_command("verify_pdf", str(path), stdout=out)
    assert "GENUINE" in out.getvalue()
    assert f"consent signature #{ConsentSignature.objects.get().pk}" in out.getvalue()

    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    path.write_bytes(bytes(tampered))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_pdf", str(path), stdout=out)
    assert exit_info.value.code == 1
    assert "NOT GENUINE" in out.getvalue()


def test_signed_in_patient_downloads_their_copy_and_others_cannot(
    consent_case, desk, document, patient_user, django_capture_on_commit_callbacks
) -> None:
    consent_case.patient.user = patient_user
    consent_case.patient.save()
    _signed(consent_case, desk, document, django_capture_on_commit_callbacks)
    signature = ConsentSignature.objects.get()
    owner = Client()
    owner.force_login(patient_user)
    page = owner.get(reverse("pathway:patient_home"))
    assert b"Download my signed copy" in page.content
    response = owner.get(reverse("consent_signature_pdf", args=[signature.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "sign in" in mail.outbox[-1].body.lower()  # has a login: no attachment, a link

    from core.roles import Role
    from tests.conftest import make_user

    stranger = Client()
    stranger.force_login(make_user(Role.PATIENT))
    assert stranger.get(reverse("consent_signature_pdf", args=[signature.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_verification_page_names_the_record_and_flags_a_changed_file(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    _signed(consent_case, desk, document, django_capture_on_commit_callbacks)
    pdf = pdf_of(RecordKind.CONSENT, ConsentSignature.objects.get().pk)
    staff = Client()
    staff.force_login(desk)
    genuine = staff.post(reverse("consent_verify"), {"file": io.BytesIO(pdf)})
    assert genuine.status_code == 200
    assert b'data-ok="true"' in genuine.content
    assert b"Zo\xc3\xab O&#x27;Hara-Lindqvist" in genuine.content
    changed = pdf.replace(b"/Type /Catalog", b"/Type /Catalog ", 1)
    bad = staff.post(reverse("consent_verify"), {"file": io.BytesIO(changed)})
    assert b'data-ok="false"' in bad.content
    assert AuditEntry.objects.filter(action="consent.pdf.verify").count() == 2


def test_pdf_ensure_is_idempotent_and_remakes_a_missing_pdf(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    from consent.services import consent_pdf_ensure
    from consent.tasks import consent_pdf_make

    link = invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    patient = Patient(link)
    review = patient.through_review("1985-05-20", _right_answers(document))
    patient.sign(review, name="Zoë O'Hara-Lindqvist")  # on_commit not run: the message is "lost"
    signature = ConsentSignature.objects.get()
    assert count(RecordKind.CONSENT) == 0
    first = consent_pdf_ensure(signature_id=signature.pk)
    consent_pdf_make.delay(signature.pk)
    assert consent_pdf_ensure(signature_id=signature.pk).pk == first.pk
    assert count(RecordKind.CONSENT) == 1


def test_signed_link_reopened_in_another_browser_shows_the_copy(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    patient, _ = _signed(consent_case, desk, document, django_capture_on_commit_callbacks)
    later = Patient(patient.link)  # a new browser: no session
    response = later.dob("1985-05-20")
    assert response.status_code == 302
    done = later.get("done/")
    assert done.status_code == 200 and b"Download your signed copy" in done.content


def test_verification_page_without_a_clinic_seal_is_a_clear_503(desk, settings, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SEAL_CERT_PATH = tmp_path / "missing.pem"
    settings.SEAL_TRUST_ROOT_PATH = ""
    client = Client()
    client.force_login(desk)
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.7 nothing", content_type="application/pdf")
    response = client.post(reverse("consent_verify"), {"file": upload})
    assert response.status_code == 503
    assert b"make_clinic_certificate" in response.content
