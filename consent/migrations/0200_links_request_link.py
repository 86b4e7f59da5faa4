"""Signing links move to core.PatientLink (one set of link rules for every kind).

Each request's token hash, expiry, revocation, wrong-date-of-birth count and lock are copied to
a new link row, one per request, before the columns are dropped; the reverse copies them back.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("token_sha256", "expires_at", "revoked_at", "revoked_by_id", "dob_failures", "locked_at")


def to_links(apps, schema_editor):
    ConsentRequest = apps.get_model("consent", "ConsentRequest")
    PatientLink = apps.get_model("core", "PatientLink")
    for req in ConsentRequest.objects.order_by("pk").iterator():
        req.link = PatientLink.objects.create(
            purpose="consent",
            patient_id=req.patient_id,
            case_id=req.case_id,
            created_at=req.created_at,
            **{name: getattr(req, name) for name in MOVED},
        )
        req.save(update_fields=["link"])


def from_links(apps, schema_editor):
    ConsentRequest = apps.get_model("consent", "ConsentRequest")
    for req in ConsentRequest.objects.select_related("link").order_by("pk").iterator():
        for name in MOVED:
            setattr(req, name, getattr(req.link, name))
        req.save(update_fields=[name.removesuffix("_id") for name in MOVED])


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
        ("core", "0200_links_patient_links_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentrequest",
            name="link",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consent_request",
                to="core.patientlink",
            ),
        ),
        # Nullable before they are dropped, so that going back re-adds them empty, copies the
        # data back, and only then makes them required again.
        migrations.AlterField(
            model_name="consentrequest",
            name="token_sha256",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="consentrequest", name="expires_at", field=models.DateTimeField(null=True)
        ),
        migrations.RunPython(to_links, from_links),
        migrations.RemoveField(model_name="consentrequest", name="dob_failures"),
        migrations.RemoveField(model_name="consentrequest", name="expires_at"),
        migrations.RemoveField(model_name="consentrequest", name="locked_at"),
        migrations.RemoveField(model_name="consentrequest", name="revoked_at"),
        migrations.RemoveField(model_name="consentrequest", name="revoked_by"),
        migrations.RemoveField(model_name="consentrequest", name="token_sha256"),
        migrations.AlterField(
            model_name="consentrequest",
            name="link",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consent_request",
                to="core.patientlink",
            ),
        ),
    ]
