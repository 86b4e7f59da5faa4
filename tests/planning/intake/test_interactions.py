"""Interaction matching against the seed classes/rules and small hand-built rule sets."""

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from planning.intake.interactions import (
    InteractionDataError,
    InteractionFlag,
    MedicationIndex,
    match_interactions,
    normalise,
    parse_classes,
    parse_rules,
)
from tests.planning.intake.interaction_data import (
    CLINIC_DEFAULTS,
    CONTRAINDICATIONS,
    INTERACTION_CLASSES,
    INTERACTION_RULES,
)


def _match(
    *medications: str,
    classes: Sequence[Mapping[str, Any]] = INTERACTION_CLASSES,
    rules: Sequence[Mapping[str, Any]] = INTERACTION_RULES,
) -> list[InteractionFlag]:
    return match_interactions(medications, classes=classes, rules=rules)


def _summary(flags: list[InteractionFlag]) -> list[tuple[str, str, str, str | None, str]]:
    return [(f.rule_code, f.medication, f.generic, f.class_code, f.severity) for f in flags]


# --------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("LORAZEPAM", "lorazepam"),
        ("  Lorazépam ", "lorazepam"),
        ("Lamictal XR 100 mg", "lamictal"),
        ("Lamictal XR 100mg", "lamictal"),
        ("Ambien   CR 12.5 mg tablet", "ambien"),
        ("zolpidem tartrate 10 mg tab.", "zolpidem"),
        ("Emsam patch 6 mg/24h", "emsam"),
        ("MS Contin 15mg", "ms contin"),
        ("XR", "xr"),
        ("", ""),
    ],
)
def test_normalise(entry: str, expected: str) -> None:
    assert normalise(entry) == expected


# --------------------------------------------------------------------------- seed matching


def test_brand_name_resolves_through_generic_to_class() -> None:
    flags = _match("Xanax")
    assert _summary(flags) == [
        ("benzodiazepine_blunted_response", "Xanax", "alprazolam", "benzodiazepine", "caution"),
        ("sedative_hypnotic_sedation", "Xanax", "alprazolam", "benzodiazepine", "caution"),
    ]
    assert "blunt" in flags[0].note


def test_class_member_matches() -> None:
    assert [f.rule_code for f in _match("clonazepam")] == [
        "benzodiazepine_blunted_response",
        "sedative_hypnotic_sedation",
    ]


def test_differently_cased_generic_named_directly_in_rule() -> None:
    assert _summary(_match("LaMoTrIgInE")) == [
        ("lamotrigine_blunted_response", "LaMoTrIgInE", "lamotrigine", None, "caution"),
    ]


def test_brand_with_release_form_and_strength() -> None:
    flags = _match("Lamictal XR 100 mg")
    assert [(f.rule_code, f.medication, f.generic) for f in flags] == [
        ("lamotrigine_blunted_response", "Lamictal XR 100 mg", "lamotrigine"),
    ]


def test_accented_entry_matches() -> None:
    assert {f.generic for f in _match("Lorazépam")} == {"lorazepam"}
    assert len(_match("Lorazépam")) == 2


def test_upper_case_member_matches() -> None:
    assert len(_match("LORAZEPAM")) == 2


@pytest.mark.parametrize("medication", ["sertraline", "Zoloft 50 mg", "lorazepan", "", "   "])
def test_unknown_or_blank_medication_gives_no_flag(medication: str) -> None:
    assert _match(medication) == []


@pytest.mark.parametrize(
    ("medication", "rule_code", "severity"),
    [
        ("Nardil", "maoi_blood_pressure", "major"),
        ("Parnate", "maoi_blood_pressure", "major"),
        ("Emsam", "maoi_blood_pressure", "major"),
        ("Marplan", "maoi_blood_pressure", "major"),
        ("Adderall XR 20 mg", "stimulant_blood_pressure", "caution"),
        ("Vyvanse", "stimulant_blood_pressure", "caution"),
        ("Ritalin", "stimulant_blood_pressure", "caution"),
        ("Concerta 36mg", "stimulant_blood_pressure", "caution"),
        ("modafinil", "stimulant_blood_pressure", "caution"),
        ("OxyContin", "cns_depressant_sedation", "major"),
        ("tramadol 50 mg", "cns_depressant_sedation", "major"),
        ("Alcohol", "cns_depressant_sedation", "major"),
        ("Ambien", "sedative_hypnotic_sedation", "caution"),
        ("eszopiclone", "sedative_hypnotic_sedation", "caution"),
    ],
)
def test_seed_rules(medication: str, rule_code: str, severity: str) -> None:
    assert [(f.rule_code, f.severity) for f in _match(medication)] == [(rule_code, severity)]


def test_one_flag_per_rule_for_the_same_drug_entered_twice() -> None:
    flags = _match("Xanax", "alprazolam 1 mg", "XANAX")
    assert [(f.rule_code, f.medication) for f in flags] == [
        ("benzodiazepine_blunted_response", "Xanax"),
        ("sedative_hypnotic_sedation", "Xanax"),
    ]


def test_one_flag_when_a_rule_matches_a_drug_twice() -> None:
    rules = [
        {
            "code": "r",
            "matches": ["benzodiazepine", "lorazepam", "Ativan"],
            "severity": "info",
            "note": "n",
        }
    ]
    assert _summary(_match("Ativan", rules=rules)) == [
        ("r", "Ativan", "lorazepam", "benzodiazepine", "info"),
    ]


def test_ordering_is_severity_then_medication_then_rule() -> None:
    flags = _match("Xanax", "oxycodone", "Concerta", "Nardil", "ambien", "Lamictal")
    assert [(f.severity, f.medication, f.rule_code) for f in flags] == [
        ("major", "Nardil", "maoi_blood_pressure"),
        ("major", "oxycodone", "cns_depressant_sedation"),
        ("caution", "ambien", "sedative_hypnotic_sedation"),
        ("caution", "Concerta", "stimulant_blood_pressure"),
        ("caution", "Lamictal", "lamotrigine_blunted_response"),
        ("caution", "Xanax", "benzodiazepine_blunted_response"),
        ("caution", "Xanax", "sedative_hypnotic_sedation"),
    ]
    reordered = _match("Lamictal", "ambien", "Nardil", "Concerta", "oxycodone", "Xanax")
    assert reordered == flags


def test_info_sorts_after_caution_and_major() -> None:
    rules = [
        {"code": "a_info", "matches": ["lorazepam"], "severity": "info", "note": ""},
        {"code": "b_major", "matches": ["opioid"], "severity": "major", "note": ""},
        {"code": "c_caution", "matches": ["Ativan"], "severity": "caution", "note": ""},
    ]
    flags = _match("lorazepam", "morphine", rules=rules)
    assert [f.rule_code for f in flags] == ["b_major", "c_caution", "a_info"]


# --------------------------------------------------------------------------- data validation


def _klass(**overrides: Any) -> dict[str, Any]:
    base = {"code": "k", "label": "K", "members": ["drugone"], "synonyms": {"Brand": "drugone"}}
    return base | overrides


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ([_klass(), _klass()], "duplicate code 'k'"),
        ([_klass(synonyms={"Brand": "drugtwo"})], "'drugtwo' is not a member"),
        (
            [_klass(), _klass(code="j", members=["drugtwo"], synonyms={"BRAND": "drugtwo"})],
            "'brand' already means 'drugone'",
        ),
        ([_klass(members=[])], "non-empty list"),
        ([_klass(code="")], "'code' must be a non-empty str"),
    ],
)
def test_malformed_classes_are_rejected(classes: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(InteractionDataError) as caught:
        parse_classes(classes)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"code": "r", "matches": ["x"], "severity": "severe", "note": ""}], "severity"),
        ([{"code": "r", "matches": [], "severity": "info", "note": ""}], "non-empty list"),
        ([{"code": "r", "matches": ["x"], "severity": "info", "note": ""}] * 2, "duplicate code"),
    ],
)
def test_malformed_rules_are_rejected(rules: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(InteractionDataError, match=message):
        parse_rules(rules)


def test_seed_data_is_valid_and_brands_resolve() -> None:
    index = MedicationIndex(parse_classes(INTERACTION_CLASSES))
    assert len(parse_rules(INTERACTION_RULES)) == len(INTERACTION_RULES)
    expected = {
        "Ativan": "benzodiazepine",
        "Klonopin": "benzodiazepine",
        "Valium": "benzodiazepine",
        "Lamictal": "glutamate_release_inhibitor",
        "Parnate": "maoi",
        "Vyvanse": "stimulant",
        "fentanyl": "opioid",
        "codeine": "opioid",
        "Lunesta": "sedative_hypnotic",
    }
    for name, class_code in expected.items():
        assert index.classes_of(index.generic(name)) == {class_code}, name
    assert index.is_known("Xanax 0.5 mg")
    assert not index.is_known("sertraline")


def test_contraindications_and_clinic_defaults() -> None:
    by_code = {entry["code"]: entry for entry in CONTRAINDICATIONS}
    assert len(by_code) == len(CONTRAINDICATIONS) == 7
    assert {code for code, e in by_code.items() if e["kind"] == "absolute"} == {
        "psychosis_history",
        "pregnancy_or_breastfeeding",
        "significant_cardiovascular_disease",
        "active_mania",
    }
    assert {e["derived_from"] for e in CONTRAINDICATIONS} == {
        None,
        "age",
        "blood_pressure",
        "pregnancy",
    }
    assert CLINIC_DEFAULTS == {
        "bp_systolic_max": 140,
        "bp_diastolic_max": 90,
        "adequate_trials_for_trd": 2,
        "adequate_trial_min_weeks": 6,
        "minimum_age": 18,
    }


@pytest.mark.django_db
def test_the_migrations_loaded_domain_reference_data() -> None:
    """What the frozen data migration put in the database is DOMAIN.md's data."""
    from planning.intake.models import ContraindicationType, InteractionClass, InteractionRule

    loaded = {c.code: c.as_data() for c in InteractionClass.objects.all()}
    assert {c["code"] for c in INTERACTION_CLASSES} == set(loaded)
    for entry in INTERACTION_CLASSES:
        assert sorted(loaded[entry["code"]]["members"]) == sorted(entry["members"])
    assert set(InteractionRule.objects.values_list("code", flat=True)) == {
        r["code"] for r in INTERACTION_RULES
    }
    assert set(ContraindicationType.objects.values_list("code", flat=True)) == {
        c["code"] for c in CONTRAINDICATIONS
    }
