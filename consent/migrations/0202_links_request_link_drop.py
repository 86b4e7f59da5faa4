"""Drop the columns that moved to core.PatientLink; every request now has its link."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("consent", "0201_links_request_link_data")]

    operations = [
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
