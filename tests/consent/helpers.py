"""Test helpers for consent: a published document, and a signature written directly (for tests
of other capabilities that only need "this case has signed the current version")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from consent.models import (
    ComprehensionQuestion,
    ConsentDocument,
    ConsentRequest,
    ConsentSignature,
    ConsentVersion,
)
from consent.text import canonical_text, sha256_hex
from demo.consent import DEMO_BODY
from planning.pathway.models import Case


def published_version(label: str = "v1", *, material: bool = False) -> ConsentVersion:
    document, created = ConsentDocument.objects.get_or_create(
        kind=ConsentDocument.KIND_TREATMENT, defaults={"title": "Consent to treatment (test)"}
    )
    if created:
        ComprehensionQuestion.objects.create(
            document=document,
            position=1,
            prompt="After a session, when may you drive again?",
            choices="Straight away\nThe next day, after a full night's sleep\nAfter one hour",
            correct_choice=2,
            section_heading="No driving, and an escort home",
        )
    body = canonical_text(DEMO_BODY + f"\nVersion {label}.\n")
    return ConsentVersion.objects.create(
        document=document,
        label=label,
        body_markdown=body,
        body_sha256=sha256_hex(body),
        material_change=material,
        published_at=timezone.now(),
    )


def make_link(patient: Any, *, case_id: int, days: int = 7, purpose: str = "consent") -> Any:
    """A link row without the e-mail (the token is not needed by the caller)."""
    from core.links import link_create
    from core.models import LinkPurpose

    link, _ = link_create(
        purpose=LinkPurpose(purpose),
        patient=patient,
        case_id=case_id,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link


def consent_signed_for(case: Case) -> ConsentSignature:
    """Write a signature of the current version for `case` without the signing flow."""
    from consent.documents import current_version

    document = ConsentDocument.objects.filter(kind=ConsentDocument.KIND_TREATMENT).first()
    version = (current_version(document) if document else None) or published_version()
    request = ConsentRequest.objects.create(
        patient=case.patient,
        case_id=case.pk,
        document=version.document,
        link=make_link(case.patient, case_id=case.pk),
        status=ConsentRequest.Status.SIGNED,
    )
    return ConsentSignature.objects.create(
        request=request,
        version=version,
        patient=case.patient,
        case_id=case.pk,
        document_html="<p>test</p>",
        document_sha256=sha256_hex("<p>test</p>"),
        typed_name=case.patient.full_name,
        meaning="test",
        intent_statement="test",
        image_png=b"\x89PNG",
        strokes=[],
    )


def awaiting_countersignature_for(case: Case, kind: str = "witness") -> ConsentSignature:
    """A representative's signature of the current version that awaits a `kind`
    countersignature, written as the signing service writes it (real drawing, so it seals)."""
    from consent.documents import current_version
    from consent.signature_checks import check_signature
    from demo.consent import demo_signature

    document = ConsentDocument.objects.get(kind=ConsentDocument.KIND_TREATMENT)
    version = current_version(document)
    assert version is not None
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
        intent_statement=f"I, Maja Østergaard (mother), sign on behalf of {case.patient.full_name}",
        image_png=drawn.png,
        strokes=drawn.strokes,
        signer_role="representative",
        representative_name="Maja Østergaard",
        representative_relationship="mother",
        representative_authority="guardian",
        countersignature_required=kind,
    )
