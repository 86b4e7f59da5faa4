"""Patients' name keys (core.models.name_key): accent- and case-insensitive matching and
sorting of names, alike on SQLite and PostgreSQL. The keys of registered patients are filled
here; new and changed rows get theirs on save."""

import unicodedata

from django.db import migrations, models

import core.models


def _key(text: str) -> str:
    # core.models.name_key as of this migration.
    folded = unicodedata.normalize("NFKD", text or "").casefold()
    kept = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(kept.split())[:400]


def fill_keys(apps, schema_editor):
    Patient = apps.get_model("core", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "given_name", "family_name").iterator(
        chunk_size=1000
    ):
        patient.given_key = _key(patient.given_name)
        patient.family_key = _key(patient.family_name)
        batch.append(patient)
        if len(batch) == 1000:
            Patient.objects.bulk_update(batch, ["given_key", "family_key"])
            batch = []
    if batch:
        Patient.objects.bulk_update(batch, ["given_key", "family_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0730_audit_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="family_key",
            field=core.models.NameKeyField(source="family_name"),
        ),
        migrations.AddField(
            model_name="patient",
            name="given_key",
            field=core.models.NameKeyField(source="given_name"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["family_key", "given_key"], name="core_patient_name_key"),
        ),
    ]
