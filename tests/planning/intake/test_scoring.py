"""Questionnaire scoring: hand-worked band edges, alerts, skip logic and definition checks."""

import copy
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from planning.intake.scoring import (
    CSSRS_SCREENER_DEFINITION,
    GAD7_DEFINITION,
    PHQ9_DEFINITION,
    AnswerError,
    DefinitionError,
    builtin_definitions,
    parse_definition,
    score,
    treatment_response,
)

PHQ9 = parse_definition(PHQ9_DEFINITION)
GAD7 = parse_definition(GAD7_DEFINITION)
CSSRS = parse_definition(CSSRS_SCREENER_DEFINITION)
SI_ALERT = "Suicidal ideation reported (item 9)"
POSITIVE = "Positive C-SSRS screen"
HIGH_RISK = "High-risk C-SSRS screen (intent, plan or recent suicidal behaviour)"


def _answers(prefix: str, values: Sequence[object]) -> dict[str, object]:
    return {f"{prefix}_{number}": value for number, value in enumerate(values, start=1)}


# --------------------------------------------------------------------------- PHQ-9


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "None-minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "None-minimal"),
        ([2, 2, 1, 0, 0, 0, 0, 0, 0], 5, "Mild"),
        ([3, 3, 3, 0, 0, 0, 0, 0, 0], 9, "Mild"),
        ([3, 3, 3, 1, 0, 0, 0, 0, 0], 10, "Moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "Moderate"),
        ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "Moderately severe"),
        ([3, 3, 3, 3, 3, 3, 1, 0, 0], 19, "Moderately severe"),
        ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "Severe"),
    ],
)
def test_phq9_band_edges(values: list[int], total: int, band: str) -> None:
    assert sum(values) == total  # guard the hand-worked fixture itself
    result = score(PHQ9, _answers("phq9", values))
    assert (result.total, result.band) == (total, band)
    assert result.alerts == ()
    assert result.positive is None


def test_phq9_maximum_is_severe_and_alerts_on_item_9() -> None:
    result = score(PHQ9, _answers("phq9", [3] * 9))
    assert (result.total, result.band, result.alerts) == (27, "Severe", (SI_ALERT,))


def test_phq9_item_9_of_one_raises_the_alert() -> None:
    result = score(PHQ9, _answers("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    assert result.alerts == (SI_ALERT,)
    assert (result.total, result.band) == (1, "None-minimal")


def test_phq9_item_9_of_zero_raises_no_alert() -> None:
    result = score(PHQ9, _answers("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]))
    assert (result.total, result.alerts) == (24, ())


def test_answers_are_returned_normalised_in_definition_order() -> None:
    answers = dict(reversed(_answers("phq9", [1, 0, 2, 0, 0, 0, 0, 0, 0]).items()))
    result = score(PHQ9, answers)
    assert list(result.answers) == [f"phq9_{n}" for n in range(1, 10)]
    assert dict(result.answers) == _answers("phq9", [1, 0, 2, 0, 0, 0, 0, 0, 0])


def test_answer_outside_options_names_the_item() -> None:
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, _answers("phq9", [0, 0, 4, 0, 0, 0, 0, 0, 0]))
    assert list(caught.value.errors) == ["phq9_3"]
    assert "4 is not an allowed answer" in caught.value.errors["phq9_3"]


def test_missing_required_item_is_an_error() -> None:
    answers = _answers("phq9", [0] * 9)
    del answers["phq9_5"]
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, answers)
    assert caught.value.errors == {"phq9_5": "This question is required."}


def test_none_counts_as_unanswered() -> None:
    answers = {**_answers("phq9", [0] * 9), "phq9_2": None}
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, answers)
    assert set(caught.value.errors) == {"phq9_2"}


def test_every_problem_is_listed_together() -> None:
    answers = _answers("phq9", [4, 0, "2", 0, 0, 0, 0, True, -1])
    del answers["phq9_2"]
    answers["phq9_10"] = 1
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, answers)
    errors = caught.value.errors
    assert set(errors) == {"phq9_1", "phq9_2", "phq9_3", "phq9_8", "phq9_9", "phq9_10"}
    assert "whole number" in errors["phq9_3"]
    assert "whole number" in errors["phq9_8"]  # bool is not accepted as an int
    assert errors["phq9_10"] == "Unknown question."
    assert "phq9_1" in str(caught.value)


# --------------------------------------------------------------------------- GAD-7


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ([0, 0, 0, 0, 0, 0, 0], 0, "Minimal"),
        ([1, 1, 1, 1, 0, 0, 0], 4, "Minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "Mild"),
        ([3, 3, 3, 0, 0, 0, 0], 9, "Mild"),
        ([3, 3, 3, 1, 0, 0, 0], 10, "Moderate"),
        ([2, 2, 2, 2, 2, 2, 2], 14, "Moderate"),
        ([3, 3, 3, 3, 3, 0, 0], 15, "Severe"),
        ([3, 3, 3, 3, 3, 3, 3], 21, "Severe"),
    ],
)
def test_gad7_band_edges(values: list[int], total: int, band: str) -> None:
    assert sum(values) == total
    result = score(GAD7, _answers("gad7", values))
    assert (result.total, result.band, result.alerts) == (total, band, ())


def test_gad7_has_no_item_8() -> None:
    with pytest.raises(AnswerError) as caught:
        score(GAD7, {**_answers("gad7", [0] * 7), "gad7_8": 0})
    assert set(caught.value.errors) == {"gad7_8"}


# --------------------------------------------------------------------------- C-SSRS screener


def test_cssrs_all_no_is_negative_and_questions_3_to_5_may_be_missing() -> None:
    result = score(CSSRS, {"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 0})
    assert (result.positive, result.high_risk, result.alerts) == (False, False, ())
    assert (result.total, result.band) == (None, None)
    assert dict(result.answers) == {"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 0}


def test_cssrs_q2_and_q4_yes_is_positive_high_risk_with_alerts() -> None:
    answers = _answers("cssrs", [0, 1, 0, 1, 0, 0])
    result = score(CSSRS, answers)
    assert (result.positive, result.high_risk) == (True, True)
    assert result.alerts == (POSITIVE, HIGH_RISK)


def test_cssrs_wish_to_be_dead_alone_is_positive_but_not_high_risk() -> None:
    result = score(CSSRS, {"cssrs_1": 1, "cssrs_2": 0, "cssrs_6": 0})
    assert (result.positive, result.high_risk, result.alerts) == (True, False, (POSITIVE,))


def test_cssrs_method_without_intent_or_plan_is_not_high_risk() -> None:
    result = score(CSSRS, _answers("cssrs", [1, 1, 1, 0, 0, 0]))
    assert (result.positive, result.high_risk) == (True, False)


def test_cssrs_recent_behaviour_alone_is_high_risk() -> None:
    result = score(CSSRS, {"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 1})
    assert (result.positive, result.high_risk) == (True, True)


@pytest.mark.parametrize("value", [0, 1])
def test_cssrs_q3_answered_while_q2_no_is_rejected(value: int) -> None:
    # Decision: reject rather than ignore; a stray answer means the form logic went wrong.
    with pytest.raises(AnswerError) as caught:
        score(CSSRS, {"cssrs_1": 0, "cssrs_2": 0, "cssrs_3": value, "cssrs_6": 0})
    assert list(caught.value.errors) == ["cssrs_3"]
    assert "only asked when cssrs_2 is answered 'Yes'" in caught.value.errors["cssrs_3"]


def test_cssrs_q3_to_q5_required_when_q2_yes() -> None:
    with pytest.raises(AnswerError) as caught:
        score(CSSRS, {"cssrs_1": 0, "cssrs_2": 1, "cssrs_6": 0})
    assert list(caught.value.errors) == ["cssrs_3", "cssrs_4", "cssrs_5"]


def test_cssrs_invalid_q2_does_not_pile_errors_onto_dependants() -> None:
    with pytest.raises(AnswerError) as caught:
        score(CSSRS, {"cssrs_1": 0, "cssrs_2": 2, "cssrs_3": 1, "cssrs_6": 0})
    assert list(caught.value.errors) == ["cssrs_2"]


# --------------------------------------------------------------------------- definitions


def _tiny(**overrides: Any) -> dict[str, Any]:
    """Two items scored 0-3, so the score range is 0-6."""
    options = [{"value": v, "label": str(v)} for v in range(4)]
    raw = {
        "code": "tiny",
        "title": "Tiny scale",
        "version": "1",
        "items": [
            {"link_id": "a", "text": "A?", "options": options},
            {"link_id": "b", "text": "B?", "options": copy.deepcopy(options)},
        ],
        "scoring": {"method": "sum"},
        "bands": [{"min": 0, "max": 2, "label": "Low"}, {"min": 3, "max": 6, "label": "High"}],
        "alerts": [{"score": {"op": "gte", "value": 5}, "message": "High total"}],
    }
    raw.update(overrides)
    return raw


def test_tiny_definition_is_valid_and_score_alert_fires_at_threshold() -> None:
    tiny = parse_definition(_tiny())
    assert score(tiny, {"a": 3, "b": 1}).alerts == ()
    assert score(tiny, {"a": 3, "b": 2}).alerts == ("High total",)
    assert score(tiny, {"a": 2, "b": 0}).band == "Low"
    assert score(tiny, {"a": 2, "b": 1}).band == "High"


def test_bands_may_be_listed_out_of_order() -> None:
    bands = [{"min": 3, "max": 6, "label": "High"}, {"min": 0, "max": 2, "label": "Low"}]
    assert [band.label for band in parse_definition(_tiny(bands=bands)).bands] == ["Low", "High"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"bands": [{"min": 0, "max": 2, "label": "L"}, {"min": 4, "max": 6, "label": "H"}]},
            "gap between 'L' (0-2) and 'H' (4-6); scores 3-3 have no band",
        ),
        (
            {"bands": [{"min": 0, "max": 3, "label": "L"}, {"min": 3, "max": 6, "label": "H"}]},
            "'L' (0-3) and 'H' (3-6) overlap",
        ),
        ({"bands": [{"min": 1, "max": 6, "label": "L"}]}, "must start at the lowest score 0"),
        ({"bands": [{"min": 0, "max": 5, "label": "L"}]}, "must end at the highest score 6"),
        ({"bands": [{"min": 0, "max": 7, "label": "L"}]}, "must end at the highest score 6"),
        ({"bands": [{"min": 4, "max": 2, "label": "L"}]}, "min 4 is greater than max 2"),
        ({"bands": []}, "needs at least one band"),
        ({"items": []}, "at least one item"),
        ({"scoring": {"method": "average"}}, "unknown method 'average'"),
        ({"alerts": [{"item": "zz", "op": "gt", "value": 0, "message": "m"}]}, "unknown item"),
        (
            {"alerts": [{"item": "a", "op": "above", "value": 0, "message": "m"}]},
            "unknown operator",
        ),
        (
            {"alerts": [{"result": "positive", "message": "m"}]},
            "need scoring method 'any_positive'",
        ),
        ({"alerts": [{"message": "m"}]}, "exactly one of"),
        ({"colour": "blue"}, "unknown key(s) colour"),
        ({"title": ""}, "title: expected a non-empty string"),
    ],
)
def test_malformed_definitions_are_rejected(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(_tiny(**overrides))
    assert message in str(caught.value)


def test_duplicate_link_ids_are_rejected() -> None:
    raw = _tiny()
    raw["items"][1]["link_id"] = "a"
    with pytest.raises(DefinitionError, match=r"items\[1\]: duplicate link_id 'a'"):
        parse_definition(raw)


def test_duplicate_option_values_are_rejected() -> None:
    raw = _tiny()
    raw["items"][0]["options"][1]["value"] = 0
    with pytest.raises(DefinitionError, match=r"items\[0\]\.options\[1\]: duplicate option"):
        parse_definition(raw)


def test_non_integer_option_value_is_rejected() -> None:
    raw = _tiny()
    raw["items"][0]["options"][0]["value"] = "0"
    with pytest.raises(DefinitionError, match="expected a whole number"):
        parse_definition(raw)


def test_misspelt_item_key_is_rejected() -> None:
    raw = _tiny()
    raw["items"][1]["skip_unles"] = {"item": "a", "equals": 1}
    with pytest.raises(DefinitionError, match="unknown key"):
        parse_definition(raw)


@pytest.mark.parametrize(
    ("skip", "required", "message"),
    [
        ({"item": "b", "equals": 1}, False, "'b' is not an earlier item"),
        ({"item": "a", "equals": 9}, False, "9 is not an option of 'a'"),
        ({"item": "a", "equals": 1}, True, "must set required to false"),
    ],
)
def test_bad_skip_rules_are_rejected(skip: dict[str, object], required: bool, message: str) -> None:
    raw = _tiny()
    raw["items"][1] |= {"skip_unless": skip, "required": required}
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)
    assert message in str(caught.value)


def test_optional_items_widen_the_sum_range() -> None:
    raw = _tiny(bands=[{"min": 0, "max": 6, "label": "All"}])
    raw["items"][1]["required"] = False
    tiny = parse_definition(raw)
    assert tiny.score_range == (0, 6)
    assert score(tiny, {"a": 2}).total == 2


def test_any_positive_items_must_offer_yes() -> None:
    raw = copy.deepcopy(CSSRS_SCREENER_DEFINITION)
    raw["items"][0]["options"] = [{"value": 0, "label": "No"}]
    with pytest.raises(DefinitionError, match="'cssrs_1' has no yes"):
        parse_definition(raw)


def test_high_risk_items_must_be_screen_items() -> None:
    raw = copy.deepcopy(CSSRS_SCREENER_DEFINITION)
    raw["scoring"]["items"] = ["cssrs_1", "cssrs_2"]
    with pytest.raises(DefinitionError, match=r"not in scoring\.items"):
        parse_definition(raw)


def test_bands_are_rejected_for_a_screen() -> None:
    raw = copy.deepcopy(CSSRS_SCREENER_DEFINITION)
    raw["bands"] = [{"min": 0, "max": 6, "label": "All"}]
    with pytest.raises(DefinitionError, match="only allowed with scoring method 'sum'"):
        parse_definition(raw)


def test_builtin_definitions_parse_are_json_and_are_copies() -> None:
    raws = builtin_definitions()
    assert [parse_definition(raw).code for raw in raws] == ["phq9", "gad7", "cssrs_screener"]
    assert json.loads(json.dumps(raws)) == raws
    raws[0]["items"].clear()
    assert len(PHQ9_DEFINITION["items"]) == 9
    assert [len(parse_definition(raw).items) for raw in builtin_definitions()] == [9, 7, 6]


def test_builtin_option_labels() -> None:
    assert [option.label for option in PHQ9.item("phq9_1").options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert [item.link_id for item in CSSRS.items if item.skip_unless] == [
        "cssrs_3",
        "cssrs_4",
        "cssrs_5",
    ]


# --------------------------------------------------------------------------- treatment response


def test_halving_is_a_response() -> None:
    result = treatment_response(20, 10)
    assert (result.response, result.remission, result.change_percent) == (
        True,
        False,
        Decimal("-50.0"),
    )


def test_just_short_of_halving_is_not_a_response() -> None:
    result = treatment_response(20, 11)
    assert (result.response, result.change_percent) == (False, Decimal("-45.0"))


def test_below_five_is_remission() -> None:
    result = treatment_response(20, 4)
    assert (result.response, result.remission, result.change_percent) == (
        True,
        True,
        Decimal("-80.0"),
    )
    assert treatment_response(20, 5).remission is False


def test_zero_baseline_computes_no_response() -> None:
    result = treatment_response(0, 3)
    assert (result.response, result.change_percent, result.remission) == (None, None, True)


def test_change_percent_rounds_half_up_to_one_place() -> None:
    assert treatment_response(3, 1).change_percent == Decimal("-66.7")
    assert treatment_response(16, 15).change_percent == Decimal("-6.3")
    assert treatment_response(10, 15).change_percent == Decimal("50.0")
    assert treatment_response(10, 15).response is False


@pytest.mark.parametrize(("baseline", "current"), [(-1, 0), (5, -2), (5, True), (5.0, 2)])
def test_treatment_response_rejects_bad_scores(baseline: Any, current: Any) -> None:
    with pytest.raises(ValueError, match="non-negative whole number"):
        treatment_response(baseline, current)
