"""Seed the clinic-editable intake reference data with the values in DOMAIN.md."""

from django.db import migrations

from planning import scoring, seed_data

REQUIRED_AT_EVALUATION = {"phq9", "cssrs_screener"}


def forward(apps, schema_editor):
    Definition = apps.get_model("planning", "QuestionnaireDefinition")
    for position, raw in enumerate(scoring.builtin_definitions()):
        Definition.objects.get_or_create(
            code=raw["code"],
            version=raw.get("version", 1),
            defaults={
                "title": raw["title"],
                "definition": raw,
                "required_at_evaluation": raw["code"] in REQUIRED_AT_EVALUATION,
                "position": position,
            },
        )
    Contraindication = apps.get_model("planning", "ContraindicationType")
    for position, item in enumerate(seed_data.CONTRAINDICATIONS):
        Contraindication.objects.get_or_create(
            code=item["code"],
            defaults={
                "label": item["label"],
                "kind": item["kind"],
                "derived_from": item["derived_from"] or "",
                "note": item["note"],
                "position": position,
            },
        )
    Klass = apps.get_model("planning", "InteractionClass")
    for item in seed_data.INTERACTION_CLASSES:
        Klass.objects.get_or_create(
            code=item["code"],
            defaults={
                "label": item["label"],
                "members": "\n".join(item["members"]),
                "synonyms": "\n".join(f"{b} = {g}" for b, g in item["synonyms"].items()),
            },
        )
    Rule = apps.get_model("planning", "InteractionRule")
    for item in seed_data.INTERACTION_RULES:
        Rule.objects.get_or_create(
            code=item["code"],
            defaults={
                "matches": "\n".join(item["matches"]),
                "severity": item["severity"],
                "note": item["note"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_intake")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
