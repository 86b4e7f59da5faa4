"""Versions: hashed and frozen on publishing; the model, querysets and admin refuse edits."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consent.models import ConsentVersion, ImmutableRecordError
from consent.services import consent_version_publish
from consent.text import canonical_text, sha256_hex
from core.errors import ValidationFailed
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _draft(document, label="v2", body="## Risks\r\n\r\nNew text.  \r\n", material=False):
    return ConsentVersion.objects.create(
        document=document, label=label, body_markdown=body, material_change=material
    )


def test_publish_hashes_the_canonical_text_and_links_the_previous(document, clinic_admin) -> None:
    draft = _draft(document)
    published = consent_version_publish(version_id=draft.pk, actor=clinic_admin)
    assert published.body_markdown == "## Risks\n\nNew text.\n"
    assert published.body_sha256 == sha256_hex(canonical_text(draft.body_markdown))
    assert published.published_at is not None
    assert published.supersedes.label == "v1"
    entry = AuditEntry.objects.filter(action="consent.version.publish").latest("seq")
    assert entry.data["sha256"] == published.body_sha256


def test_published_version_refuses_every_edit(document) -> None:
    version = document.versions.get(label="v1")
    version.body_markdown = "Changed."
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        ConsentVersion.objects.filter(pk=version.pk).update(label="v1-edited")
    with pytest.raises(ImmutableRecordError):
        version.delete()
    with pytest.raises(ImmutableRecordError):
        ConsentVersion.objects.filter(pk=version.pk).delete()
    assert ConsentVersion.objects.get(pk=version.pk).body_markdown != "Changed."


def test_draft_can_be_edited_and_publishing_twice_is_refused(document, clinic_admin) -> None:
    draft = _draft(document)
    draft.body_markdown = "## Risks\n\nEdited draft.\n"
    draft.save()
    consent_version_publish(version_id=draft.pk, actor=clinic_admin)
    with pytest.raises(ValidationFailed):
        consent_version_publish(version_id=draft.pk, actor=clinic_admin)


def test_admin_shows_a_published_version_read_only(document, clinic_admin) -> None:
    client = Client()
    client.force_login(clinic_admin)
    version = document.versions.get(label="v1")
    url = reverse("admin:consent_consentversion_change", args=[version.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="body_markdown"' not in page.content  # shown, not editable
    response = client.post(
        url, {"label": "v1", "body_markdown": "Sneaky edit", "document": document.pk}
    )
    assert response.status_code == 403
    assert ConsentVersion.objects.get(pk=version.pk).body_markdown != "Sneaky edit"


def test_admin_drafts_and_publishes(document, clinic_admin) -> None:
    client = Client()
    client.force_login(clinic_admin)
    add = client.post(
        reverse("admin:consent_consentversion_add"),
        {
            "document": document.pk,
            "label": "v2",
            "language": "en",
            "body_markdown": "## Costs\n\nNew prices.",
            "change_summary": "prices",
        },
    )
    assert add.status_code == 302, add.content[:2000]
    draft = ConsentVersion.objects.get(label="v2")
    assert AuditEntry.objects.filter(
        action="config.add", target=f"consent.consentversion:{draft.pk}"
    ).exists()
    client.post(
        reverse("admin:consent_consentversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published


def test_markdown_is_sanitised(document, clinic_admin) -> None:
    from consent.documents import document_html

    draft = _draft(
        document, body="## Risks\n\n<script>alert(1)</script><img src=x onerror=alert(2)> **ok**\n"
    )
    html = document_html(consent_version_publish(version_id=draft.pk, actor=clinic_admin))
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "<strong>ok</strong>" in html
