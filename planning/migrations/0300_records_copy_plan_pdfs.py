"""Copy every sealed dosing-plan PDF into records.SealedRecord (kind "plan"), byte for byte.

Each copy is checked against the SHA-256 stored with it; a mismatch stops the migration and
nothing is dropped. The columns go in the next migration, only after this one committed. Plans
sealed before the records app carry a plain PAdES seal without a time-stamp (level B-B).
TreatmentSession.rems_pdf was never written by any release (the REMS form was rendered on
request, unsealed); the next migration drops it, refusing if a row holds bytes after all.
"""

import hashlib

from django.db import migrations
from django.utils import timezone


def copy_plan_pdfs(apps, schema_editor):
    DosingPlan = apps.get_model("planning", "DosingPlan")
    SealedRecord = apps.get_model("records", "SealedRecord")
    SealedRecordContent = apps.get_model("records", "SealedRecordContent")
    plans = DosingPlan.objects.exclude(pdf=None).select_related("case__patient").order_by("pk")
    for plan in plans.iterator():
        data = bytes(plan.pdf)
        if not data:
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != plan.pdf_sha256:
            raise RuntimeError(f"DosingPlan #{plan.pk}: PDF does not match its stored SHA-256.")
        patient = plan.case.patient
        approved = timezone.localtime(plan.approved_at or timezone.now())
        record = SealedRecord.objects.create(
            kind="plan",
            owner_id=plan.pk,
            owner_label=(
                f"dosing plan v{plan.version} (#{plan.pk}), case #{plan.case_id}, "
                f"{patient.given_name} {patient.family_name} ({patient.mrn}), approved by "
                f"{plan.approver_printed_name} on "
                f"{approved:%Y-%m-%d %H:%M %Z}"
            )[:500],
            case_id=plan.case_id,
            patient_id=patient.pk,
            version=1,
            origin="sealed",
            layout_version="plan-1",
            file_name=f"plan-{plan.case_id}-v{plan.version}.pdf",
            sha256=digest,
            size=len(data),
            sealed_by="(sealed before the records app; see the file's seal)",
            seal_level="B-B",
            created_at=plan.approved_at or timezone.now(),
        )
        SealedRecordContent.objects.create(record=record, pdf_bytes=data)


def refuse_unsealed_rems_bytes(apps, schema_editor):
    TreatmentSession = apps.get_model("planning", "TreatmentSession")
    if TreatmentSession.objects.exclude(rems_pdf=None).exists():
        raise RuntimeError(
            "TreatmentSession.rems_pdf holds bytes: these unsealed copies cannot become sealed "
            "records. Export them before migrating."
        )


def refuse_reverse(apps, schema_editor):
    """Going back is possible only while no sealed record exists (nothing would be lost)."""
    if apps.get_model("records", "SealedRecord").objects.exists():
        raise RuntimeError("Sealed records are never deleted; this migration cannot be reversed.")


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0202_links_followup_link_drop"),
        ("records", "0002_insert_only_trigger"),
    ]
    operations = [
        migrations.RunPython(copy_plan_pdfs, refuse_reverse),
        migrations.RunPython(refuse_unsealed_rems_bytes, migrations.RunPython.noop),
    ]
