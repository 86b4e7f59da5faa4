"""DOMAIN.md's reference data as Python literals, for the tests of the interaction engine and of
the data migrations (which load a frozen JSON copy: `planning/migrations/frozen/`). Everything
here is a starting point for a clinic to review, not medical advice:
severities and kinds reflect the esketamine/ketamine labelling themes (blunted response with
benzodiazepines and lamotrigine, raised blood pressure with MAOIs and stimulants, added
sedation with CNS depressants).
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict

__all__ = [
    "CLINIC_DEFAULTS",
    "CONTRAINDICATIONS",
    "INTERACTION_CLASSES",
    "INTERACTION_RULES",
    "ContraindicationData",
    "InteractionRuleData",
    "MedicationClassData",
]


class MedicationClassData(TypedDict):
    """``members`` are generic names; ``synonyms`` map a brand or alias to one of them."""

    code: str
    label: str
    members: list[str]
    synonyms: dict[str, str]


class InteractionRuleData(TypedDict):
    """``matches`` holds class codes or generic (or brand) drug names."""

    code: str
    matches: list[str]
    severity: Literal["info", "caution", "major"]
    note: str


class ContraindicationData(TypedDict):
    code: str
    label: str
    kind: Literal["absolute", "relative"]
    derived_from: Literal["age", "blood_pressure", "pregnancy"] | None
    note: str


INTERACTION_CLASSES: Final[list[MedicationClassData]] = [
    {
        "code": "benzodiazepine",
        "label": "Benzodiazepines",
        "members": [
            "alprazolam",
            "chlordiazepoxide",
            "clobazam",
            "clonazepam",
            "diazepam",
            "lorazepam",
            "midazolam",
            "oxazepam",
            "temazepam",
        ],
        "synonyms": {
            "Ativan": "lorazepam",
            "Xanax": "alprazolam",
            "Klonopin": "clonazepam",
            "Rivotril": "clonazepam",
            "Valium": "diazepam",
            "Restoril": "temazepam",
            "Librium": "chlordiazepoxide",
            "Onfi": "clobazam",
        },
    },
    {
        "code": "glutamate_release_inhibitor",
        "label": "Anticonvulsants that reduce glutamate release",
        "members": ["lamotrigine"],
        "synonyms": {"Lamictal": "lamotrigine", "Subvenite": "lamotrigine"},
    },
    {
        "code": "maoi",
        "label": "Monoamine oxidase inhibitors (MAOIs)",
        "members": ["isocarboxazid", "phenelzine", "selegiline", "tranylcypromine"],
        "synonyms": {
            "Nardil": "phenelzine",
            "Parnate": "tranylcypromine",
            "Emsam": "selegiline",
            "Marplan": "isocarboxazid",
        },
    },
    {
        "code": "stimulant",
        "label": "Psychostimulants and wakefulness-promoting agents",
        "members": [
            "amphetamine",
            "armodafinil",
            "dexmethylphenidate",
            "dextroamphetamine",
            "lisdexamfetamine",
            "methylphenidate",
            "modafinil",
        ],
        "synonyms": {
            "Adderall": "amphetamine",
            "Vyvanse": "lisdexamfetamine",
            "Ritalin": "methylphenidate",
            "Concerta": "methylphenidate",
            "Focalin": "dexmethylphenidate",
            "Dexedrine": "dextroamphetamine",
            "Provigil": "modafinil",
            "Nuvigil": "armodafinil",
        },
    },
    {
        "code": "opioid",
        "label": "Opioids",
        "members": [
            "buprenorphine",
            "codeine",
            "fentanyl",
            "hydrocodone",
            "hydromorphone",
            "methadone",
            "morphine",
            "oxycodone",
            "oxymorphone",
            "tapentadol",
            "tramadol",
        ],
        "synonyms": {
            "OxyContin": "oxycodone",
            "Percocet": "oxycodone",
            "Vicodin": "hydrocodone",
            "Norco": "hydrocodone",
            "MS Contin": "morphine",
            "Ultram": "tramadol",
            "Duragesic": "fentanyl",
            "Dilaudid": "hydromorphone",
            "Suboxone": "buprenorphine",
            "Subutex": "buprenorphine",
            "Nucynta": "tapentadol",
        },
    },
    {
        "code": "sedative_hypnotic",
        "label": "Non-benzodiazepine sedative hypnotics",
        "members": ["eszopiclone", "zaleplon", "zolpidem"],
        "synonyms": {"Ambien": "zolpidem", "Lunesta": "eszopiclone", "Sonata": "zaleplon"},
    },
]

INTERACTION_RULES: Final[list[InteractionRuleData]] = [
    {
        "code": "benzodiazepine_blunted_response",
        "matches": ["benzodiazepine"],
        "severity": "caution",
        "note": "Benzodiazepines may blunt the antidepressant response to ketamine or "
        "esketamine. Review dose and timing with the prescriber.",
    },
    {
        "code": "lamotrigine_blunted_response",
        "matches": ["lamotrigine"],
        "severity": "caution",
        "note": "Lamotrigine may blunt the response to ketamine or esketamine. "
        "Review with the prescriber.",
    },
    {
        "code": "maoi_blood_pressure",
        "matches": ["maoi"],
        "severity": "major",
        "note": "MAOIs can raise blood pressure further. Monitor blood pressure closely "
        "before and after dosing.",
    },
    {
        "code": "stimulant_blood_pressure",
        "matches": ["stimulant"],
        "severity": "caution",
        "note": "Psychostimulants can raise blood pressure further. Monitor blood pressure "
        "closely before and after dosing.",
    },
    {
        "code": "cns_depressant_sedation",
        "matches": ["opioid", "alcohol"],
        "severity": "major",
        "note": "Opioids and alcohol add to sedation and CNS depression. "
        "Monitor sedation and breathing closely.",
    },
    {
        "code": "sedative_hypnotic_sedation",
        "matches": ["sedative_hypnotic", "benzodiazepine"],
        "severity": "caution",
        "note": "Sedative hypnotics add to sedation. Monitor sedation after dosing.",
    },
]

CONTRAINDICATIONS: Final[list[ContraindicationData]] = [
    {
        "code": "psychosis_history",
        "label": "History of psychosis or schizophrenia",
        "kind": "absolute",
        "derived_from": None,
        "note": "",
    },
    {
        "code": "active_substance_use_disorder",
        "label": "Active substance use disorder",
        "kind": "relative",
        "derived_from": None,
        "note": "",
    },
    {
        "code": "uncontrolled_hypertension",
        "label": "Uncontrolled hypertension",
        "kind": "relative",
        "derived_from": "blood_pressure",
        "note": "Flagged when blood pressure is above the clinic threshold (default 140/90 mmHg).",
    },
    {
        "code": "pregnancy_or_breastfeeding",
        "label": "Pregnancy or breastfeeding",
        "kind": "absolute",
        "derived_from": "pregnancy",
        "note": "",
    },
    {
        "code": "significant_cardiovascular_disease",
        "label": "Significant cardiovascular or cerebrovascular disease",
        "kind": "absolute",
        "derived_from": None,
        "note": "Aneurysmal vascular disease, recent myocardial infarction, arteriovenous "
        "malformation, or a history of intracerebral haemorrhage.",
    },
    {
        "code": "active_mania",
        "label": "Active mania or hypomania",
        "kind": "absolute",
        "derived_from": None,
        "note": "",
    },
    {
        "code": "under_minimum_age",
        "label": "Under 18 years old",
        "kind": "relative",
        "derived_from": "age",
        "note": "A physician may document a reason to proceed.",
    },
]

CLINIC_DEFAULTS: Final[dict[str, int]] = {
    "bp_systolic_max": 140,
    "bp_diastolic_max": 90,
    "adequate_trials_for_trd": 2,
    "adequate_trial_min_weeks": 6,
    "minimum_age": 18,
}
