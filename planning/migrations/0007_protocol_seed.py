"""Seed the clinic protocols per route with DOMAIN.md's values. Routes the reference gives no
range for (intramuscular, oral/sublingual) are created inactive and empty: the clinic must set
them; the software never invents a dose range.

The data is frozen beside this migration (`frozen/0007_protocols.json`), never read from live
code. Rows are added only when missing; this is the only place that seeds them."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent / "frozen" / "0007_protocols.json"


def forward(apps, schema_editor):
    protocol = apps.get_model("planning", "ClinicProtocol")
    decimals = {f.name for f in protocol._meta.fields if isinstance(f, models.DecimalField)}
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        values = {k: Decimal(v) if k in decimals and v is not None else v for k, v in row.items()}
        protocol.objects.get_or_create(route=values["route"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("planning", "0006_plans_sessions")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
