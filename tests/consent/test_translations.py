"""Consent in the patient's language: a translation is a version of its own tied to the source
version it renders; the patient is shown (and signs) their language's version; the language can
be chosen on the link and by a signed-in patient; messages go out in it; the done page's copy
panel updates itself; a refused signature says why at the top and points at the field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from consent.documents import current_version, questions_for, version_for
from consent.models import ConsentSignature, ConsentVersion
from consent.services import consent_pdf_ensure, consent_version_publish
from core.errors import ValidationFailed
from core.models import AuditEntry, OutboundMessage, Patient
from core.outbox import outbox_deliver_due
from planning.pathway.consent_bridge import has_current_signature
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.gates import current_signature
from tests.consent.flow import Patient as Browser
from tests.consent.flow import invite, invite_over_http


def _answers(document: Any, language: str) -> dict[int, int]:
    return {q.pk: q.correct_choice for q in questions_for(document, language)}


def _spanish(case: Any) -> Any:
    Patient.objects.filter(pk=case.patient_id).update(preferred_language="es")
    case.patient.refresh_from_db()
    return case


def test_each_language_sees_its_own_version(document: Any) -> None:
    source = current_version(document)
    spanish = version_for(document, "es")
    assert source is not None and source.language == "en" and source.source_version is None
    assert spanish is not None and spanish.source_version == source and spanish.language == "es"
    assert version_for(document, "en") == source
    assert questions_for(document, "es")[0].prompt.startswith("Después de una sesión")
    assert questions_for(document, "en")[0].prompt.startswith("After a session")


def test_a_new_source_version_falls_back_to_the_source_until_translated(
    document: Any, clinic_admin: Any
) -> None:
    v2 = ConsentVersion.objects.create(document=document, label="v2", body_markdown="## A\n\nB")
    consent_version_publish(version_id=v2.pk, actor=clinic_admin)
    assert current_version(document) == v2
    assert version_for(document, "es") == v2  # no Spanish v2 yet: the source, never a stale one


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"language": "en"}, "language"),  # same language as the source
        ({"source": "draft"}, "source_version"),  # source not published
        ({"source": "translation"}, "language"),  # a translation of a translation
    ],
)
def test_publishing_a_translation_is_refused_when_it_renders_nothing_publishable(
    document: Any, clinic_admin: Any, change: dict[str, str], field: str
) -> None:
    source = current_version(document)
    assert source is not None
    if change.get("source") == "draft":
        source = ConsentVersion.objects.create(document=document, label="v9", body_markdown="x")
    elif change.get("source") == "translation":
        source = version_for(document, "es")
    draft = ConsentVersion.objects.create(
        document=document,
        label="t-1",
        language=change.get("language", "es"),
        source_version=source,
        body_markdown="## Uno\n\nDos",
    )
    with pytest.raises(ValidationFailed) as refused:
        consent_version_publish(version_id=draft.pk, actor=clinic_admin)
    assert field in refused.value.fields
    draft.refresh_from_db()
    assert draft.published_at is None


def test_publishing_a_translation_runs_no_reconsent_hook(
    document: Any, clinic_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr("consent.hooks.run_published", lambda v, actor: calls.append(v.label))
    v2 = ConsentVersion.objects.create(document=document, label="v2", body_markdown="## A\n\nB")
    consent_version_publish(version_id=v2.pk, actor=clinic_admin)
    es = ConsentVersion.objects.create(
        document=document, label="v2-es", language="es", source_version=v2,
        body_markdown="## A\n\nB (es)", material_change=True,
    )  # fmt: skip
    consent_version_publish(version_id=es.pk, actor=clinic_admin)
    assert calls == ["v2"]
    assert version_for(document, "es") == es
    entry = AuditEntry.objects.filter(action="consent.version.publish").order_by("-seq").first()
    assert entry is not None and entry.data["translation_of"] == "v2"


def test_spanish_patient_reads_and_signs_the_spanish_version(
    consent_case: Any, desk: Any, document: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _spanish(consent_case)
    link = invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    invitation = mail.outbox[-1]
    assert "listo para firmar" in invitation.subject and "Estimado/a Zoë" in invitation.body
    patient = Browser(link)
    assert "Su fecha de nacimiento" in patient.get().content.decode()
    review = patient.through_review("1985-05-20", _answers(document, "es"))
    page = review.content.decode()
    assert review.status_code == 200 and 'lang="es"' in page
    assert "traducción de la versión v1" in page and "Qué abarca" in page
    with django_capture_on_commit_callbacks(execute=True):
        signed = patient.sign(review, name="Zoe O'Hara-Lindqvist")
    assert signed.status_code == 302
    signature = ConsentSignature.objects.select_related("version").get(case_id=consent_case.pk)
    assert signature.version == version_for(document, "es")
    assert signature.intent_statement.startswith("Yo, Zoë O'Hara-Lindqvist, he leído")
    assert signature.meaning.startswith("Consentimiento informado")
    assert 'lang="es"' in signature.document_html and "Traducción de" in signature.document_html
    assert signature.comprehension[0]["question"].startswith("Después de una sesión")
    signed_audit = AuditEntry.objects.get(action="consent.signed")
    assert signed_audit.data["language"] == "es" and signed_audit.data["source_version"] == "v1"
    # The case counts the translation as a signature of the current version.
    case = Case.objects.get(pk=consent_case.pk)
    assert case.state == CaseState.PLAN_PENDING
    assert has_current_signature(case) == []
    assert current_signature(case.pk) == signature
    outbox_deliver_due()
    ready = OutboundMessage.objects.get(template="consent_copy_ready")
    assert "está listo" in ready.subject


def test_language_chosen_before_the_date_of_birth_is_kept_once_confirmed(
    consent_case: Any, desk: Any
) -> None:
    req, link = invite(consent_case, desk)
    browser = Browser(link)
    chosen = browser.post("language/", {"language": "es", "next": link})
    assert chosen.status_code == 302 and chosen["Location"] == link
    assert "Su fecha de nacimiento" in browser.get().content.decode()
    assert Patient.objects.get(pk=req.patient_id).preferred_language == "en"  # not yet theirs
    assert browser.dob("1985-05-20").status_code == 302
    assert Patient.objects.get(pk=req.patient_id).preferred_language == "es"
    entry = AuditEntry.objects.get(action="patient.language.set")
    assert entry.data == {"from": "en", "to": "es", "via": "patient (signing link)"}
    assert browser.post("language/", {"language": "xx"}).status_code == 400
    assert browser.post("language/", {"language": "en", "next": "https://evil.example/"})[
        "Location"
    ] == reverse("consent_link", args=[link.rstrip("/").rsplit("/", 1)[-1]])


def test_signed_in_patient_switches_language(patient_user: Any, own_case: Any) -> None:
    client = Client()
    client.force_login(patient_user)
    home = reverse("pathway:patient_home")
    assert 'data-testid="language-switch"' in client.get(home).content.decode()
    response = client.post(reverse("language_set"), {"language": "es", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert Patient.objects.get(pk=own_case.patient_id).preferred_language == "es"
    page = client.get(home)
    assert "Mi tratamiento" in page.content.decode() and page["Content-Language"] == "es"
    assert client.post(reverse("language_set"), {"language": "de"}).status_code == 400


def test_staff_pages_stay_english_and_staff_have_no_patient_switch(
    desk: Any, consent_case: Any
) -> None:
    _spanish(consent_case)
    client = Client()
    client.force_login(desk)
    page = client.get(reverse("pathway:case_detail", args=[consent_case.pk])).content.decode()
    assert "Español" in page and 'data-testid="language-switch"' not in page
    assert "Sign out" in page
    assert client.post(reverse("language_set"), {"language": "es"}).status_code == 404


def test_done_page_copy_panel_updates_itself(
    consent_case: Any, desk: Any, document: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("consent.services.queue_consent_pdf", lambda signature_id: None)
    _, link = invite(consent_case, desk)
    browser = Browser(link)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    status_url = reverse("consent_copy_status", args=[token])
    assert Client().get(status_url).status_code == 404  # not this browser's verified session
    review = browser.through_review("1985-05-20", _answers(document, "en"))
    assert browser.client.get(status_url).status_code == 404  # not signed yet
    browser.sign(review, name="Zoë O'Hara-Lindqvist")
    done = browser.get("done/").content.decode()
    assert f'hx-get="{status_url}"' in done and 'hx-trigger="every 3s"' in done
    assert "htmx.min.js" in done
    pending = browser.client.get(status_url).content.decode()
    assert 'data-testid="copy-pending"' in pending and "<html" not in pending
    consent_pdf_ensure(signature_id=ConsentSignature.objects.get().pk)
    ready = browser.client.get(status_url).content.decode()
    assert 'data-testid="download-copy"' in ready and "hx-trigger" not in ready


def test_refusal_is_at_the_top_and_points_at_each_field(
    consent_case: Any, desk: Any, document: Any
) -> None:
    _, link = invite(consent_case, desk)
    browser = Browser(link)
    review = browser.through_review("1985-05-20", _answers(document, "en"))
    refused = browser.sign(review, name="Somebody Else", intent=False)
    page = refused.content.decode()
    assert refused.status_code == 400
    top = page.index('data-testid="sign-refused"')
    assert top < page.index('data-testid="review-summary"') < page.index('id="sign-form"')
    assert 'data-field="id_typed_name"' in page
    assert re.findall(r'<a href="#(id_\w+)" data-testid="problem-link"', page) == [
        "id_typed_name",
        "id_intent",
    ]
