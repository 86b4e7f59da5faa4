"""What is consent-specific about a signature's sealed record: its HTML source (identity on
every page, document, answers, signature, audit page). Rendering, sealing, verifying and storing
are the records app's one pipeline."""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, override

from consent.documents import language_name, version_title
from consent.models import ConsentCountersignature, ConsentSignature, ConsentVersion
from consent.representatives import authority_label, signed_by_line
from core.models import AuditEntry

SEAL_REASON = "Informed consent record sealed by the clinic"
# 2: the audit page in plain words (core.timeline); 3: who signed (a legally authorised
# representative) and the witness's or clinician's countersignature.
LAYOUT_VERSION = "consent-3"


def request_events(signature: ConsentSignature) -> list[AuditEntry]:
    targets = [signature.request.audit_target, signature.audit_target]
    return list(
        AuditEntry.objects.filter(target__in=targets).select_related("actor").order_by("seq")
    )


def record_title(version: ConsentVersion) -> str:
    with override(version.language):
        return gettext("Informed consent")


def record_html(signature: ConsentSignature, events: list[AuditEntry]) -> str:
    """The complete PDF source: identity on every page, document, answers, signature, audit;
    in the language of the version the patient read and signed."""
    version = signature.version
    image = base64.b64encode(bytes(signature.image_png)).decode("ascii")
    with override(version.language):
        return _render(signature, events, image)


def _render(signature: ConsentSignature, events: list[AuditEntry], image: str) -> str:
    version = signature.version
    counter = ConsentCountersignature.objects.filter(signature_id=signature.pk).first()
    counter_image = (
        "data:image/png;base64," + base64.b64encode(bytes(counter.image_png)).decode("ascii")
        if counter is not None and counter.image_png
        else ""
    )
    return render_to_string(
        "consent/pdf/consent_record.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "signature": signature,
            "version": version,
            "source": version.source,
            "language_name": language_name(version.language),
            "document_title": version_title(version),
            "patient": signature.patient,
            "image_data_uri": f"data:image/png;base64,{image}",
            "events": events,
            "signed_by": signed_by_line(signature),
            "authority": authority_label(
                signature.representative_authority, signature.representative_authority_detail
            )
            if signature.by_representative
            else "",
            "countersignature": counter,
            "countersignature_image": counter_image,
            "tz": timezone.get_current_timezone_name(),
        },
    )
