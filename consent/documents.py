"""What the patient reads and signs, rendered the same way every time.

`signing_document` produces the exact HTML shown on the review page, stored with the signature,
hashed into it and printed in the PDF. It depends only on stored facts (version, patient,
answers), never on the clock, so rendering it again gives the same bytes and the same hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_lazy, override

from consent.models import ComprehensionQuestion, ConsentDocument, ConsentVersion
from consent.representatives import representative_intent_template
from consent.text import find_section, render_document, render_section, sha256_hex
from core.models import Patient

MEANING = gettext_lazy("Informed consent to treatment, signed by the patient")


def intent_statement(patient: Patient, version: ConsentVersion) -> str:
    """In the version's language, whatever language is active (it is stored as signed)."""
    with override(version.language):
        return gettext(
            "I, %(name)s, have read and understood “%(title)s” (%(label)s) and I consent to "
            "treatment as it describes. I intend this electronic signature to be my legally "
            "binding signature, just as if I had signed on paper."
        ) % {"name": patient.full_name, "title": version_title(version), "label": version.label}


def meaning(version: ConsentVersion) -> str:
    with override(version.language):
        return str(MEANING)


def version_title(version: ConsentVersion) -> str:
    """The document's title in the version's language (the first `# ` line of a translation
    may name it; otherwise the document's title)."""
    if version.source_version_id is not None and version.title:
        return version.title
    return version.document.title


@dataclass(frozen=True)
class SigningDocument:
    version: ConsentVersion
    html: str
    sha256: str


def current_version(document: ConsentDocument) -> ConsentVersion | None:
    """The newest published source version (translations render a source version)."""
    return current_versions().filter(document=document).first()


def current_versions() -> QuerySet[ConsentVersion]:
    """Published source versions, newest first (filter by document: its current is first)."""
    return (
        ConsentVersion.objects.published()
        .sources()
        .select_related("document")
        .order_by("-published_at", "-pk")
    )


def version_for(document: ConsentDocument, language: str) -> ConsentVersion | None:
    """What a patient reading `language` is shown: the published translation of the current
    source version into that language, else the source version itself."""
    source = current_version(document)
    if source is None or source.language == language:
        return source
    translation = (
        ConsentVersion.objects.published()
        .filter(source_version=source, language=language)
        .select_related("document", "source_version")
        .first()
    )
    return translation or source


def document_html(version: ConsentVersion) -> str:
    return render_document(version.body_markdown)


def questions_for(document: ConsentDocument, language: str = "en") -> list[ComprehensionQuestion]:
    """The active questions in `language`, or the English ones when it has none."""
    active = document.questions.filter(active=True).order_by("position", "pk")
    in_language = list(active.filter(language=language))
    return in_language or list(active.filter(language="en"))


def reread_passage(version: ConsentVersion, question: ComprehensionQuestion) -> str:
    section = find_section(version.body_markdown, question.section_heading)
    return render_section(section) if section else document_html(version)


def language_name(code: str) -> str:
    """The language's own name (e.g. "Español"), as listed in settings.LANGUAGES."""
    return dict(settings.LANGUAGES).get(code, code)


def signing_document(
    version: ConsentVersion, patient: Patient, comprehension: list[dict[str, str]]
) -> SigningDocument:
    with override(version.language):
        html = _render_signing(version, patient, comprehension)
    return SigningDocument(version=version, html=html, sha256=sha256_hex(html))


def _render_signing(
    version: ConsentVersion, patient: Patient, comprehension: list[dict[str, str]]
) -> str:
    return render_to_string(
        "consent/_signing_document.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "version": version,
            "source": version.source,
            "language_name": language_name(version.language),
            "document_title": version_title(version),
            "patient": patient,
            "body_html": document_html(version),
            "comprehension": comprehension,
            "meaning": meaning(version),
            "intent": intent_statement(patient, version),
            "representative_intent": (
                representative_intent_template(patient, version)
                if version.document.allow_representative
                else ""
            ),
        },
    )
