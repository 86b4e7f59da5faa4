"""Seed the clinic-editable intake reference data with the values in DOMAIN.md."""

from django.db import migrations

from planning.reference_data import seed_intake_reference


def forward(apps, schema_editor):
    seed_intake_reference(apps)


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_intake")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
