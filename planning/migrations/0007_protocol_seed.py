"""Seed the clinic protocols (see planning.reference_data.PROTOCOLS)."""

from django.db import migrations

from planning.reference_data import seed_protocols


def forward(apps, schema_editor):
    seed_protocols(apps)


class Migration(migrations.Migration):
    dependencies = [("planning", "0006_plans_sessions")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
