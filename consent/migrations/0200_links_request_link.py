"""Signing links move to core.PatientLink (one set of link rules for every kind).

Each request's token hash, expiry, revocation, wrong-date-of-birth count and lock are copied to
a new link row, one per request, before the columns are dropped; the reverse copies them back.
"""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
