"""What the patient reads and signs, rendered the same way every time.

`signing_document` produces the exact HTML shown on the review page, stored with the signature,
hashed into it and printed in the PDF. It depends only on stored facts (version, patient,
answers), never on the clock, so rendering it again gives the same bytes and the same hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from consent.models import ComprehensionQuestion, ConsentDocument, ConsentVersion
from consent.text import find_section, render_document, render_section, sha256_hex
from core.models import Patient

MEANING = "Informed consent to treatment, signed by the patient"


def intent_statement(patient: Patient, version: ConsentVersion) -> str:
    return (
        f"I, {patient.full_name}, have read and understood “{version.document.title}” "
        f"({version.label}) and I consent to treatment as it describes. I intend this electronic "
        "signature to be my legally binding signature, just as if I had signed on paper."
    )


@dataclass(frozen=True)
class SigningDocument:
    version: ConsentVersion
    html: str
    sha256: str


def current_version(document: ConsentDocument) -> ConsentVersion | None:
    return (
        ConsentVersion.objects.published()
        .filter(document=document)
        .select_related("document")
        .order_by("-published_at", "-pk")
        .first()
    )


def document_html(version: ConsentVersion) -> str:
    return render_document(version.body_markdown)


def questions_for(document: ConsentDocument) -> list[ComprehensionQuestion]:
    return list(document.questions.filter(active=True).order_by("position", "pk"))


def reread_passage(version: ConsentVersion, question: ComprehensionQuestion) -> str:
    section = find_section(version.body_markdown, question.section_heading)
    return render_section(section) if section else document_html(version)


def signing_document(
    version: ConsentVersion, patient: Patient, comprehension: list[dict[str, str]]
) -> SigningDocument:
    html = render_to_string(
        "consent/_signing_document.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "version": version,
            "document_title": version.document.title,
            "patient": patient,
            "body_html": document_html(version),
            "comprehension": comprehension,
            "meaning": MEANING,
            "intent": intent_statement(patient, version),
        },
    )
    return SigningDocument(version=version, html=html, sha256=sha256_hex(html))
