"""Copy every sealed consent PDF into records.SealedRecord (kind "consent"), byte for byte.

Each copy is checked against the SHA-256 stored when it was sealed; a mismatch stops the
migration (nothing is dropped then). The old table is dropped by the next migration, only after
this one committed. Consent PDFs sealed before the records app carry a plain PAdES seal without
a time-stamp, so they are recorded at level B-B.
"""

import hashlib

from django.db import migrations
from django.utils import timezone


def copy_consent_pdfs(apps, schema_editor):
    ConsentPdf = apps.get_model("consent", "ConsentPdf")
    SealedRecord = apps.get_model("records", "SealedRecord")
    SealedRecordContent = apps.get_model("records", "SealedRecordContent")
    rows = ConsentPdf.objects.select_related(
        "signature__patient", "signature__version__document"
    ).order_by("pk")
    for old in rows.iterator():
        data = bytes(old.pdf)
        digest = hashlib.sha256(data).hexdigest()
        if digest != old.sha256:
            raise RuntimeError(f"ConsentPdf #{old.pk}: bytes do not match the stored SHA-256.")
        sig, patient, version = old.signature, old.signature.patient, old.signature.version
        signed = timezone.localtime(sig.signed_at)
        record = SealedRecord.objects.create(
            kind="consent",
            owner_id=sig.pk,
            owner_label=(
                f"consent signature #{sig.pk}, case #{sig.case_id}, {patient.given_name} {patient.family_name} "
                f"({patient.mrn}), {version.document.title} {version.label}, "
                f"signed {signed:%Y-%m-%d %H:%M %Z}"
            )[:500],
            case_id=sig.case_id,
            patient_id=patient.pk,
            version=1,
            origin="sealed",
            layout_version="consent-1",
            file_name=f"consent-{patient.mrn}-{version.label}-{sig.pk}.pdf"[:200],
            sha256=digest,
            size=len(data),
            sealed_by=old.sealed_by,
            seal_level="B-B",
            created_at=old.created_at,
        )
        SealedRecordContent.objects.create(record=record, pdf_bytes=data)


def refuse_reverse(apps, schema_editor):
    """Going back is possible only while no sealed record exists (nothing would be lost)."""
    if apps.get_model("records", "SealedRecord").objects.exists():
        raise RuntimeError("Sealed records are never deleted; this migration cannot be reversed.")


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0202_links_request_link_drop"),
        ("records", "0002_insert_only_trigger"),
    ]
    operations = [migrations.RunPython(copy_consent_pdfs, refuse_reverse)]
