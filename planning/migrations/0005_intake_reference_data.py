"""Seed the clinic-editable intake reference data (questionnaires, contraindications,
interaction classes and rules) with the values in DOMAIN.md.

The data is frozen beside this migration (`frozen/0005_intake_reference.json`), never read from
live code, so this migration loads the same rows whatever later code looks like. Rows are added
only when missing; this is the only place that seeds them."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent / "frozen" / "0005_intake_reference.json"

TABLES = (
    ("questionnaires", "QuestionnaireDefinition", ("code", "version")),
    ("contraindications", "ContraindicationType", ("code",)),
    ("interaction_classes", "InteractionClass", ("code",)),
    ("interaction_rules", "InteractionRule", ("code",)),
)


def forward(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for key, model_name, identity in TABLES:
        model = apps.get_model("planning", model_name)
        for row in data[key]:
            lookup = {name: row[name] for name in identity}
            defaults = {k: v for k, v in row.items() if k not in identity}
            model.objects.get_or_create(**lookup, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_intake")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
