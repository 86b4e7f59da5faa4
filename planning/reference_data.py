"""The clinic-editable reference data a new installation starts with (DOMAIN.md's values).

Created by data migrations, and re-created after every migrate or test flush (post_migrate),
never overwriting what a clinic has edited: rows are only added when missing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from planning import seed_data
from planning.intake import scoring

REQUIRED_AT_EVALUATION = {"phq9", "cssrs_screener"}

# Routes the reference gives no range for (intramuscular, oral/sublingual) are created inactive
# and empty: the clinic must set them; the software never invents a dose range.
PROTOCOLS: list[dict[str, Any]] = [
    {
        "route": "iv",
        "active": True,
        "dose_unit": "mg_per_kg",
        "dose_min": Decimal("0.1"),
        "dose_max": Decimal("0.75"),
        "default_infusion_minutes": 40,
        "sessions_min": 1,
        "sessions_max": 12,
        "frequencies": "twice weekly\nthree times weekly\nweekly\nevery two weeks",
        "vital_sign_minutes": "0,15,30,45,60,90",
        "minimum_observation_minutes": 90,
        "cost_per_session_cents": 45000,
    },
    {
        "route": "intranasal_esketamine",
        "active": True,
        "dose_unit": "mg",
        "dose_min": Decimal("28"),
        "dose_max": Decimal("84"),
        "device_mg": 28,
        "sessions_min": 1,
        "sessions_max": 36,
        "frequencies": "twice weekly (weeks 1-4)\nweekly (weeks 5-8)\nweekly (from week 9)\n"
        "every two weeks (from week 9)",
        "vital_sign_minutes": "0,40,120",
        "minimum_observation_minutes": 120,
        "cost_per_session_cents": 90000,
        "older_patient_age": 65,
        "older_patient_start_max_mg": Decimal("28"),
    },
    {
        "route": "im",
        "active": False,
        "dose_unit": "mg_per_kg",
        "frequencies": "",
        "vital_sign_minutes": "0,15,30,60",
        "minimum_observation_minutes": 90,
    },
    {
        "route": "oral_sublingual",
        "active": False,
        "dose_unit": "mg",
        "frequencies": "",
        "vital_sign_minutes": "0,30,60",
        "minimum_observation_minutes": 90,
    },
]


def seed_intake_reference(apps: Any) -> None:
    definition = apps.get_model("planning", "QuestionnaireDefinition")
    for position, raw in enumerate(scoring.builtin_definitions()):
        definition.objects.get_or_create(
            code=raw["code"],
            version=raw.get("version", 1),
            defaults={
                "title": raw["title"],
                "definition": raw,
                "position": position,
                "required_at_evaluation": raw["code"] in REQUIRED_AT_EVALUATION,
            },
        )
    contraindication = apps.get_model("planning", "ContraindicationType")
    for position, item in enumerate(seed_data.CONTRAINDICATIONS):
        contraindication.objects.get_or_create(
            code=item["code"],
            defaults={
                "label": item["label"],
                "kind": item["kind"],
                "note": item["note"],
                "derived_from": item["derived_from"] or "",
                "position": position,
            },
        )
    klass = apps.get_model("planning", "InteractionClass")
    for c in seed_data.INTERACTION_CLASSES:
        klass.objects.get_or_create(
            code=c["code"],
            defaults={
                "label": c["label"],
                "members": "\n".join(c["members"]),
                "synonyms": "\n".join(f"{b} = {g}" for b, g in c["synonyms"].items()),
            },
        )
    rule = apps.get_model("planning", "InteractionRule")
    for r in seed_data.INTERACTION_RULES:
        rule.objects.get_or_create(
            code=r["code"],
            defaults={
                "matches": "\n".join(r["matches"]),
                "severity": r["severity"],
                "note": r["note"],
            },
        )


def seed_protocols(apps: Any) -> None:
    protocol = apps.get_model("planning", "ClinicProtocol")
    for values in PROTOCOLS:
        protocol.objects.get_or_create(route=values["route"], defaults=values)


def seed_all(apps: Any) -> None:
    seed_intake_reference(apps)
    seed_protocols(apps)
