"""A legally authorised representative signs for the patient through the link's pages: the
record, the statement, the sealed PDF, the case page and the patient's page name them, their
relationship and their authority; bad representative input is refused field by field with
nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRequest, ConsentSignature
from core.models import AuditEntry
from core.timeline import describe
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from records.models import RecordKind
from records.render import pdf_text
from records.validation import verify_pdf
from tests.consent.flow import Patient, invite_over_http
from tests.support.records import count, pdf_of

pytestmark = pytest.mark.django_db(transaction=False)

BORN = "1985-05-20"  # the PATIENT's date of birth opens the link, whoever signs

REPRESENTATIVE = {
    "signer_role": "representative",
    "representative_name": "Ingrid  O'Hara",
    "representative_relationship": "daughter",
    "representative_authority": "healthcare_poa",
    "representative_authority_detail": "POA dated 3 March 2024",
}


def _answers(document: Any) -> dict[int, int]:
    return {q.pk: q.correct_choice for q in document.questions.all()}


def _review(case: Any, desk: Any, document: Any, on_commit: Any) -> tuple[Patient, Any]:
    patient = Patient(invite_over_http(desk, case, on_commit))
    review = patient.through_review(BORN, _answers(document))
    assert review.status_code == 200
    return patient, review


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_representative_signs_and_the_record_and_sealed_pdf_name_them(
    consent_case, desk, document, django_capture_on_commit_callbacks, patient_user
) -> None:
    consent_case.patient.user = patient_user
    consent_case.patient.save()
    patient, review = _review(consent_case, desk, document, django_capture_on_commit_callbacks)
    # The review page offers both signers and both statements to tick.
    page = review.content.decode()
    assert 'data-testid="signer-role"' in page
    assert "legally authorised representative" in page
    assert 'data-testid="intent-representative"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = patient.sign(review, name="ingrid o'hara", **REPRESENTATIVE)
    assert response.status_code == 302, response.content[:3000]
    assert response["Location"].endswith("/done/")

    signature = ConsentSignature.objects.get(case_id=consent_case.pk)
    assert signature.signer_role == "representative"
    assert signature.by_representative
    assert signature.representative_name == "Ingrid O'Hara"  # spaces tidied, as entered
    assert signature.representative_relationship == "daughter"
    assert signature.representative_authority == "healthcare_poa"
    assert signature.representative_authority_detail == "POA dated 3 March 2024"
    assert signature.typed_name == "ingrid o'hara"
    assert signature.intent_statement.startswith("I, Ingrid O'Hara (daughter), sign on behalf of")
    assert "Zoë O'Hara-Lindqvist" in signature.intent_statement
    assert "Healthcare power of attorney: POA dated 3 March 2024" in signature.intent_statement
    assert "legally authorised representative" in signature.meaning
    # The document the signer reviewed (and whose hash is signed) names the representative's
    # statement next to the patient's.
    assert 'data-testid="doc-representative"' in signature.document_html
    assert Case.objects.get(pk=consent_case.pk).state == CaseState.PLAN_PENDING

    # The sealed PDF: the representative, the relationship and the authority; it verifies.
    pdf = pdf_of(RecordKind.CONSENT, signature.pk)
    text = _flat(pdf_text(pdf))
    assert (
        "Signed by Ingrid O'Hara, daughter, as the patient's legally authorised representative "
        "(Healthcare power of attorney: POA dated 3 March 2024) on behalf of Zoë O'Hara-Lindqvist"
    ) in text
    for expected in ("Relationship to the patient", "daughter", "Authority", "On behalf of"):
        assert expected in text
    trust = Path(settings.SEAL_CERT_PATH).read_bytes()
    assert verify_pdf(pdf, trust_root_pem=trust).problems == []

    # The audit entry and its wording (the case page's timeline and the PDF's audit page).
    signed = AuditEntry.objects.get(action="consent.signed", case_id=consent_case.pk)
    assert signed.data["representative"] == "Ingrid O'Hara"
    assert signed.data["authority"] == "healthcare_poa"
    wording = describe(signed)
    assert wording.startswith("Consent v")
    assert "on the patient's behalf by Ingrid O'Hara, daughter, as legally authorised" in wording
    assert wording in text

    # The FHIR export says who signed, on whose behalf (valid R4).
    from interop.fhir.bundle import consent_resources, validate

    consent, provenance = (validate(r) for r in consent_resources([consent_case.pk]))
    agent = provenance["agent"][0]
    assert agent["who"]["display"].startswith("Ingrid O'Hara (daughter), legally authorised")
    assert agent["onBehalfOf"]["reference"].endswith(f"/{consent_case.patient_id}")
    assert provenance["signature"][0]["onBehalfOf"] == agent["onBehalfOf"]
    assert consent["performer"][1]["display"] == agent["who"]["display"]

    # The staff case page and the patient's own page name the representative.
    staff = Client()
    staff.force_login(desk)
    case_page = staff.get(reverse("pathway:case_detail", args=[consent_case.pk])).content.decode()
    assert 'data-testid="signed-by-representative"' in case_page
    assert "Ingrid O&#x27;Hara, daughter, as the patient&#x27;s legally authorised" in case_page
    owner = Client()
    owner.force_login(patient_user)
    home = owner.get(reverse("pathway:patient_home")).content.decode()
    assert 'data-testid="my-consent-representative"' in home
    assert "Ingrid O&#x27;Hara" in home


def test_the_patient_signing_themselves_records_no_representative(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    patient, review = _review(consent_case, desk, document, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = patient.sign(
            review,
            name="Zoë O'Hara-Lindqvist",
            signer_role="patient",
            representative_name="ignored when the patient signs",
        )
    assert response.status_code == 302
    signature = ConsentSignature.objects.get()
    assert signature.signer_role == "patient"
    assert signature.representative_name == ""
    assert signature.intent_statement.startswith("I, Zoë O'Hara-Lindqvist, have read")
    assert "legally authorised representative (" not in _flat(
        pdf_text(pdf_of(RecordKind.CONSENT, signature.pk))
    )


@pytest.mark.parametrize(
    ("changes", "name", "field", "message"),
    [
        ({"representative_name": "   "}, "Ingrid O'Hara", "representative_name", "full name"),
        ({"representative_name": "X" * 151}, "X" * 151, "representative_name", "At most 150"),
        (
            {"representative_name": "Zoe O'Hara Lindqvist"},
            "Zoe O'Hara Lindqvist",
            "representative_name",
            "the patient&#x27;s name",
        ),
        (
            {"representative_relationship": ""},
            "Ingrid O'Hara",
            "representative_relationship",
            "related",
        ),
        (
            {"representative_relationship": "r" * 151},
            "Ingrid O'Hara",
            "representative_relationship",
            "At most 150",
        ),
        (
            {"representative_authority": ""},
            "Ingrid O'Hara",
            "representative_authority",
            "authority",
        ),
        (
            {"representative_authority": "king"},
            "Ingrid O'Hara",
            "representative_authority",
            "authority",
        ),
        (
            {"representative_authority": "other", "representative_authority_detail": ""},
            "Ingrid O'Hara",
            "representative_authority_detail",
            "describe",
        ),
        (
            {"representative_authority_detail": "d" * 201},
            "Ingrid O'Hara",
            "representative_authority_detail",
            "At most 200",
        ),
        ({}, "Zoë O'Hara-Lindqvist", "typed_name", "as you gave it above"),
        ({"signer_role": "butler"}, "Ingrid O'Hara", "signer_role", "who is signing"),
    ],
)
def test_bad_representative_input_is_refused_on_its_field_and_nothing_is_written(
    consent_case,
    desk,
    document,
    django_capture_on_commit_callbacks,
    changes: dict[str, str],
    name: str,
    field: str,
    message: str,
) -> None:
    patient, review = _review(consent_case, desk, document, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = patient.sign(review, name=name, **{**REPRESENTATIVE, **changes})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="sign-refused"' in page
    assert message.lower() in page.lower(), page[:4000]
    # The refusal at the top links to the field to fix.
    anchor = "signer-role" if field == "signer_role" else f"id_{field}"
    assert f'href="#{anchor}"' in page
    # The representative's part stays open, with what was entered.
    if field != "signer_role":
        assert 'value="representative" id="id_signer_role_representative" checked' in page
    assert ConsentSignature.objects.count() == 0
    assert ConsentRequest.objects.get().status == ConsentRequest.Status.PENDING
    assert Case.objects.get(pk=consent_case.pk).state == CaseState.CONSENT_PENDING
    assert count(RecordKind.CONSENT) == 0
    refused = AuditEntry.objects.filter(action="consent.sign.refused").latest("seq")
    assert field in refused.data["fields"]


def test_a_document_that_must_be_signed_by_the_patient_refuses_a_representative(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    document.allow_representative = False
    document.save()
    patient, review = _review(consent_case, desk, document, django_capture_on_commit_callbacks)
    assert 'data-testid="signer-role"' not in review.content.decode()
    response = patient.sign(review, name="Ingrid O'Hara", **REPRESENTATIVE)
    assert response.status_code == 400
    assert "must be signed by the patient" in response.content.decode()
    assert ConsentSignature.objects.count() == 0


def test_a_representative_needs_the_patients_date_of_birth_to_open_the_link(
    consent_case, desk, django_capture_on_commit_callbacks
) -> None:
    patient = Patient(invite_over_http(desk, consent_case, django_capture_on_commit_callbacks))
    assert patient.dob("1961-01-01").status_code == 400  # e.g. the representative's own
    assert patient.get("review/").status_code == 302  # still not in
    assert patient.dob(BORN).status_code == 302
