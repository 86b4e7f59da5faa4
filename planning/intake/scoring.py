"""Data-driven questionnaire definitions and scoring.

Pure Python (no Django, no database) so the rules can be unit-tested in isolation and so a
clinic can add a scale by storing a JSON definition instead of shipping code. Models store the
raw JSON; callers run :func:`parse_definition` once to validate it and :func:`score` per
response.

Answer semantics (chosen deliberately, see the tests):

* ``required`` says whether an item must appear in *every* response.
* ``skip_unless`` ({"item": ..., "equals": ...}) makes an item conditional. Such an item must
  declare ``required: false``; when its condition holds it must be answered, and when the
  condition does not hold an answer is rejected rather than silently ignored, because a stray
  answer to a skipped suicide-risk question usually means the form or the data entry went wrong.
* ``None`` as an answer value means "not answered" (what a blank form field gives).
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Final, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

__all__ = [
    "CSSRS_SCREENER_DEFINITION",
    "GAD7_DEFINITION",
    "PHQ9_DEFINITION",
    "AlertRule",
    "AnswerError",
    "AnswerOption",
    "Band",
    "DefinitionError",
    "Item",
    "ItemAlert",
    "QuestionnaireDefinition",
    "ResultAlert",
    "ScoreAlert",
    "ScoreResult",
    "ScoringRule",
    "SkipRule",
    "TreatmentResponse",
    "builtin_definitions",
    "parse_definition",
    "score",
    "treatment_response",
    "validate_answers",
]

Method = Literal["sum", "any_positive"]
ResultKind = Literal["positive", "negative", "high_risk"]

_OPS: Final[Mapping[str, Callable[[int, int], bool]]] = MappingProxyType(
    {
        "gt": operator.gt,
        "gte": operator.ge,
        "lt": operator.lt,
        "lte": operator.le,
        "eq": operator.eq,
        "ne": operator.ne,
    }
)
_RESULT_KINDS: Final[tuple[ResultKind, ...]] = ("positive", "negative", "high_risk")
_YES: Final = 1


class DefinitionError(ValueError):
    """A questionnaire definition is malformed; the message names the offending path."""


class AnswerError(ValueError):
    """One or more answers are invalid.

    ``errors`` maps each offending link_id to a human-readable message and lists *every*
    problem found, so a form can attach an error to each field in one round trip.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in self.errors.items()))


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: str


@dataclass(frozen=True)
class SkipRule:
    """The owning item is asked only when ``item`` was answered ``equals``."""

    item: str
    equals: int


@dataclass(frozen=True)
class Item:
    link_id: str
    text: str
    options: tuple[AnswerOption, ...]
    required: bool = True
    skip_unless: SkipRule | None = None

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)

    def label_for(self, value: int) -> str:
        """Return the option label for ``value`` (precondition: value is one of the options)."""
        return next(option.label for option in self.options if option.value == value)


@dataclass(frozen=True)
class ScoringRule:
    """``sum`` adds answer values; ``any_positive`` is positive if any of ``items`` is yes (1)."""

    method: Method
    items: tuple[str, ...] = ()
    high_risk_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str


@dataclass(frozen=True)
class ItemAlert:
    item: str
    op: str
    value: int
    message: str


@dataclass(frozen=True)
class ScoreAlert:
    op: str
    value: int
    message: str


@dataclass(frozen=True)
class ResultAlert:
    result: ResultKind
    message: str


AlertRule = ItemAlert | ScoreAlert | ResultAlert


@dataclass(frozen=True)
class QuestionnaireDefinition:
    code: str
    title: str
    version: str
    items: tuple[Item, ...]
    scoring: ScoringRule
    bands: tuple[Band, ...] = ()
    alerts: tuple[AlertRule, ...] = ()
    instructions: str = ""

    def item(self, link_id: str) -> Item:
        """Return the item with ``link_id``; raises KeyError if there is none."""
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise KeyError(link_id)

    @property
    def score_range(self) -> tuple[int, int]:
        """Lowest and highest achievable sum; unanswered optional items contribute nothing."""
        return _score_range(self.items)


@dataclass(frozen=True)
class ScoreResult:
    """Outcome of :func:`score`.

    ``total``/``band`` are set for ``sum`` scales, ``positive``/``high_risk`` for
    ``any_positive`` screens; the others are ``None``. ``answers`` is a read-only mapping of
    the validated answers in definition order (unanswered items omitted).
    """

    total: int | None
    band: str | None
    positive: bool | None
    high_risk: bool | None
    alerts: tuple[str, ...]
    answers: Mapping[str, int]


@dataclass(frozen=True)
class TreatmentResponse:
    """``change_percent`` is (current - baseline) / baseline * 100, so improvement is negative."""

    baseline: int
    current: int
    change_percent: Decimal | None
    response: bool | None
    remission: bool


# --------------------------------------------------------------------------- JSON helpers


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _check_keys(
    obj: Mapping[str, object],
    where: str,
    required: set[str],
    optional: frozenset[str] = frozenset(),
) -> None:
    """Reject missing and unknown keys: a typo such as ``skip_unles`` must not pass silently."""
    missing = sorted(required - obj.keys())
    if missing:
        raise DefinitionError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(obj.keys()) - required - optional)
    if unknown:
        raise DefinitionError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")


def _str(obj: Mapping[str, object], key: str, where: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{where}.{key}: expected a non-empty string")
    return value


def _int(obj: Mapping[str, object], key: str, where: str) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{where}.{key}: expected a whole number, got {value!r}")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise DefinitionError(f"{where}: expected a list, got {type(value).__name__}")
    return list(value)


# --------------------------------------------------------------------------- parsing


def parse_definition(raw: Mapping[str, Any]) -> QuestionnaireDefinition:
    """Validate a JSON-shaped definition and return it as frozen dataclasses.

    Raises :class:`DefinitionError` on the first problem, naming the path (e.g.
    ``items[3].options``) so a clinic admin editing JSON can find it.
    """
    obj = _mapping(raw, "definition")
    _check_keys(
        obj,
        "definition",
        {"code", "title", "version", "items", "scoring"},
        frozenset({"bands", "alerts", "instructions"}),
    )
    items = _parse_items(obj["items"])
    scoring = _parse_scoring(obj["scoring"], items)
    instructions = obj.get("instructions", "")
    if not isinstance(instructions, str):
        raise DefinitionError("definition.instructions: expected a string")
    return QuestionnaireDefinition(
        code=_str(obj, "code", "definition"),
        title=_str(obj, "title", "definition"),
        version=_str(obj, "version", "definition"),
        items=items,
        scoring=scoring,
        bands=_parse_bands(obj.get("bands", []), scoring, items),
        alerts=_parse_alerts(obj.get("alerts", []), scoring, items),
        instructions=instructions,
    )


def _parse_items(value: object) -> tuple[Item, ...]:
    raw_items = _list(value, "items")
    if not raw_items:
        raise DefinitionError("items: a questionnaire needs at least one item")
    parsed: dict[str, Item] = {}
    for index, raw_item in enumerate(raw_items):
        item = _parse_item(raw_item, f"items[{index}]", parsed)
        if item.link_id in parsed:
            raise DefinitionError(f"items[{index}]: duplicate link_id {item.link_id!r}")
        parsed[item.link_id] = item
    return tuple(parsed.values())


def _parse_item(value: object, where: str, earlier: Mapping[str, Item]) -> Item:
    obj = _mapping(value, where)
    _check_keys(obj, where, {"link_id", "text", "options"}, frozenset({"required", "skip_unless"}))
    required = obj.get("required", True)
    if not isinstance(required, bool):
        raise DefinitionError(f"{where}.required: expected true or false")
    raw_skip = obj.get("skip_unless")
    skip = None if raw_skip is None else _parse_skip(raw_skip, f"{where}.skip_unless", earlier)
    if skip is not None and required:
        raise DefinitionError(f"{where}: an item with skip_unless must set required to false")
    return Item(
        link_id=_str(obj, "link_id", where),
        text=_str(obj, "text", where),
        options=_parse_options(obj["options"], f"{where}.options"),
        required=required,
        skip_unless=skip,
    )


def _parse_options(value: object, where: str) -> tuple[AnswerOption, ...]:
    raw_options = _list(value, where)
    if not raw_options:
        raise DefinitionError(f"{where}: an item needs at least one answer option")
    options: list[AnswerOption] = []
    for index, raw_option in enumerate(raw_options):
        at = f"{where}[{index}]"
        obj = _mapping(raw_option, at)
        _check_keys(obj, at, {"value", "label"})
        option = AnswerOption(value=_int(obj, "value", at), label=_str(obj, "label", at))
        if any(existing.value == option.value for existing in options):
            raise DefinitionError(f"{at}: duplicate option value {option.value}")
        options.append(option)
    return tuple(options)


def _parse_skip(value: object, where: str, earlier: Mapping[str, Item]) -> SkipRule:
    """Only earlier items may control a skip, which rules out cycles and keeps forms linear."""
    obj = _mapping(value, where)
    _check_keys(obj, where, {"item", "equals"})
    rule = SkipRule(item=_str(obj, "item", where), equals=_int(obj, "equals", where))
    controller = earlier.get(rule.item)
    if controller is None:
        raise DefinitionError(f"{where}.item: {rule.item!r} is not an earlier item")
    if rule.equals not in controller.values:
        raise DefinitionError(f"{where}.equals: {rule.equals} is not an option of {rule.item!r}")
    return rule


def _parse_scoring(value: object, items: tuple[Item, ...]) -> ScoringRule:
    obj = _mapping(value, "scoring")
    _check_keys(obj, "scoring", {"method"}, frozenset({"items", "high_risk_items"}))
    method = obj["method"]
    if method == "sum":
        _check_keys(obj, "scoring", {"method"})
        return ScoringRule(method="sum")
    if method == "any_positive":
        return _parse_any_positive(obj, items)
    raise DefinitionError(
        f"scoring.method: unknown method {method!r}; expected 'sum' or 'any_positive'"
    )


def _parse_any_positive(obj: Mapping[str, object], items: tuple[Item, ...]) -> ScoringRule:
    """Screen items must offer yes (1), and high-risk items must be a subset of screen items."""
    _check_keys(obj, "scoring", {"method", "items"}, frozenset({"high_risk_items"}))
    by_id = {item.link_id: item for item in items}
    screen = _link_ids(obj["items"], "scoring.items", by_id)
    if not screen:
        raise DefinitionError("scoring.items: list at least one item")
    for link_id in screen:
        if _YES not in by_id[link_id].values:
            raise DefinitionError(f"scoring.items: {link_id!r} has no yes (1) option")
    high_risk = _link_ids(obj.get("high_risk_items", []), "scoring.high_risk_items", by_id)
    stray = [link_id for link_id in high_risk if link_id not in screen]
    if stray:
        raise DefinitionError(f"scoring.high_risk_items: {stray} are not in scoring.items")
    return ScoringRule(method="any_positive", items=screen, high_risk_items=high_risk)


def _link_ids(value: object, where: str, by_id: Mapping[str, Item]) -> tuple[str, ...]:
    ids = _list(value, where)
    for link_id in ids:
        if not isinstance(link_id, str) or link_id not in by_id:
            raise DefinitionError(f"{where}: unknown item {link_id!r}")
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{where}: duplicate item")
    return tuple(str(link_id) for link_id in ids)


def _score_range(items: tuple[Item, ...]) -> tuple[int, int]:
    low = high = 0
    for item in items:
        lo, hi = min(item.values), max(item.values)
        if item.required:
            low, high = low + lo, high + hi
        else:
            low, high = low + min(lo, 0), high + max(hi, 0)
    return low, high


def _parse_bands(value: object, scoring: ScoringRule, items: tuple[Item, ...]) -> tuple[Band, ...]:
    """A sum scale needs bands that tile its whole score range; a screen has none."""
    raw_bands = _list(value, "bands")
    if scoring.method != "sum":
        if raw_bands:
            raise DefinitionError("bands: only allowed with scoring method 'sum'")
        return ()
    if not raw_bands:
        raise DefinitionError("bands: scoring method 'sum' needs at least one band")
    bands = sorted(
        (_parse_band(raw, f"bands[{i}]") for i, raw in enumerate(raw_bands)),
        key=lambda band: band.min,
    )
    _check_coverage(bands, *_score_range(items))
    return tuple(bands)


def _parse_band(value: object, where: str) -> Band:
    obj = _mapping(value, where)
    _check_keys(obj, where, {"min", "max", "label"})
    band = Band(
        min=_int(obj, "min", where), max=_int(obj, "max", where), label=_str(obj, "label", where)
    )
    if band.min > band.max:
        raise DefinitionError(f"{where}: min {band.min} is greater than max {band.max}")
    return band


def _describe(band: Band) -> str:
    return f"{band.label!r} ({band.min}-{band.max})"


def _check_coverage(bands: list[Band], low: int, high: int) -> None:
    """Precondition: bands sorted by min. Every score in [low, high] must fall in exactly one."""
    if bands[0].min != low:
        raise DefinitionError(
            f"bands: lowest band {_describe(bands[0])} must start at the lowest score {low}"
        )
    for previous, following in pairwise(bands):
        if following.min <= previous.max:
            raise DefinitionError(
                f"bands: {_describe(previous)} and {_describe(following)} overlap"
            )
        if following.min > previous.max + 1:
            raise DefinitionError(
                f"bands: gap between {_describe(previous)} and {_describe(following)}; "
                f"scores {previous.max + 1}-{following.min - 1} have no band"
            )
    if bands[-1].max != high:
        raise DefinitionError(
            f"bands: highest band {_describe(bands[-1])} must end at the highest score {high}"
        )


def _parse_alerts(
    value: object, scoring: ScoringRule, items: tuple[Item, ...]
) -> tuple[AlertRule, ...]:
    return tuple(
        _parse_alert(raw, f"alerts[{index}]", scoring, items)
        for index, raw in enumerate(_list(value, "alerts"))
    )


def _parse_alert(
    value: object, where: str, scoring: ScoringRule, items: tuple[Item, ...]
) -> AlertRule:
    obj = _mapping(value, where)
    kinds = [kind for kind in ("item", "score", "result") if kind in obj]
    if len(kinds) != 1:
        raise DefinitionError(f"{where}: give exactly one of 'item', 'score' or 'result'")
    if kinds == ["item"]:
        return _parse_item_alert(obj, where, items)
    if kinds == ["score"]:
        return _parse_score_alert(obj, where, scoring)
    return _parse_result_alert(obj, where, scoring)


def _op(obj: Mapping[str, object], where: str) -> str:
    op = _str(obj, "op", where)
    if op not in _OPS:
        raise DefinitionError(f"{where}.op: unknown operator {op!r}; use one of {sorted(_OPS)}")
    return op


def _parse_item_alert(obj: Mapping[str, object], where: str, items: tuple[Item, ...]) -> ItemAlert:
    _check_keys(obj, where, {"item", "op", "value", "message"})
    alert = ItemAlert(
        item=_str(obj, "item", where),
        op=_op(obj, where),
        value=_int(obj, "value", where),
        message=_str(obj, "message", where),
    )
    if alert.item not in {item.link_id for item in items}:
        raise DefinitionError(f"{where}.item: unknown item {alert.item!r}")
    return alert


def _parse_score_alert(obj: Mapping[str, object], where: str, scoring: ScoringRule) -> ScoreAlert:
    _check_keys(obj, where, {"score", "message"})
    if scoring.method != "sum":
        raise DefinitionError(f"{where}: score alerts need scoring method 'sum'")
    condition = _mapping(obj["score"], f"{where}.score")
    _check_keys(condition, f"{where}.score", {"op", "value"})
    return ScoreAlert(
        op=_op(condition, f"{where}.score"),
        value=_int(condition, "value", f"{where}.score"),
        message=_str(obj, "message", where),
    )


def _parse_result_alert(obj: Mapping[str, object], where: str, scoring: ScoringRule) -> ResultAlert:
    _check_keys(obj, where, {"result", "message"})
    if scoring.method != "any_positive":
        raise DefinitionError(f"{where}: result alerts need scoring method 'any_positive'")
    result = obj["result"]
    for kind in _RESULT_KINDS:
        if result == kind:
            return ResultAlert(result=kind, message=_str(obj, "message", where))
    raise DefinitionError(f"{where}.result: expected one of {list(_RESULT_KINDS)}")


# --------------------------------------------------------------------------- scoring


def validate_answers(
    defn: QuestionnaireDefinition, answers: Mapping[str, object]
) -> dict[str, int]:
    """Return the answers as ``{link_id: int}`` in definition order, or raise AnswerError.

    Items are checked in order so a skip condition can rely on its (earlier) controlling
    item's validated value. If the controller itself is invalid, the dependent item is only
    checked for a valid value, to avoid piling a second, confusing error onto the form.
    """
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for item in defn.items:
        shown = _is_shown(item, values, errors)
        raw = answers.get(item.link_id)
        problem = _answer_problem(defn, item, raw, shown)
        if problem is not None:
            errors[item.link_id] = problem
        elif isinstance(raw, int):
            values[item.link_id] = raw
    known = {item.link_id for item in defn.items}
    errors.update({str(key): _("Unknown question.") for key in answers if key not in known})
    if errors:
        raise AnswerError(errors)
    return values


def _is_shown(item: Item, values: Mapping[str, int], errors: Mapping[str, str]) -> bool | None:
    """True/False whether the item is asked; None when its controller's answer is invalid."""
    if item.skip_unless is None:
        return True
    if item.skip_unless.item in errors:
        return None
    return values.get(item.skip_unless.item) == item.skip_unless.equals


def _condition(defn: QuestionnaireDefinition, skip: SkipRule | None) -> dict[str, str] | None:
    """The question and answer that make an item asked (None: it is always asked)."""
    if skip is None:
        return None
    return {"item": skip.item, "label": _(defn.item(skip.item).label_for(skip.equals))}


def _answer_problem(
    defn: QuestionnaireDefinition, item: Item, raw: object, shown: bool | None
) -> str | None:
    """What is wrong with one answer, in the active language (a patient may read it)."""
    condition = _condition(defn, item.skip_unless)
    if raw is None:
        needed = shown is True and (item.required or item.skip_unless is not None)
        if not needed:
            return None
        if condition is None:
            return _("This question is required.")
        return _("This question is required when %(item)s is answered '%(label)s'.") % condition
    if shown is False:
        assert condition is not None  # only an item with a condition is ever not shown
        return (
            _(
                "Leave this question unanswered; it is only asked when %(item)s is answered "
                "'%(label)s'."
            )
            % condition
        )
    if isinstance(raw, bool) or not isinstance(raw, int):
        return _("The answer must be a whole number, not %(answer)s.") % {"answer": repr(raw)}
    if raw not in item.values:
        allowed = ", ".join(str(value) for value in item.values)
        return _("%(answer)s is not an allowed answer; choose one of %(allowed)s.") % {
            "answer": raw,
            "allowed": allowed,
        }
    return None


def score(defn: QuestionnaireDefinition, answers: Mapping[str, object]) -> ScoreResult:
    """Validate ``answers`` and score them; raises AnswerError listing every invalid answer.

    Precondition: ``defn`` came from :func:`parse_definition`, so bands cover every
    achievable total and alert rules reference real items.
    """
    values = validate_answers(defn, answers)
    total: int | None = None
    band: str | None = None
    positive: bool | None = None
    high_risk: bool | None = None
    if defn.scoring.method == "sum":
        total = sum(values.values())
        band = next((b.label for b in defn.bands if b.min <= total <= b.max), None)
    else:
        positive = any(values.get(link_id) == _YES for link_id in defn.scoring.items)
        high_risk = any(values.get(link_id) == _YES for link_id in defn.scoring.high_risk_items)
    alerts = tuple(
        rule.message for rule in defn.alerts if _fires(rule, values, total, positive, high_risk)
    )
    return ScoreResult(total, band, positive, high_risk, alerts, MappingProxyType(values))


def _fires(
    rule: AlertRule,
    values: Mapping[str, int],
    total: int | None,
    positive: bool | None,
    high_risk: bool | None,
) -> bool:
    """An item alert on an unanswered (skipped) item never fires."""
    if isinstance(rule, ItemAlert):
        answer = values.get(rule.item)
        return answer is not None and _OPS[rule.op](answer, rule.value)
    if isinstance(rule, ScoreAlert):
        return total is not None and _OPS[rule.op](total, rule.value)
    outcome = {"positive": positive, "negative": positive is False, "high_risk": high_risk}
    return outcome[rule.result] is True


def treatment_response(
    baseline: int, current: int, *, remission_below: int = 5
) -> TreatmentResponse:
    """Compare a follow-up score with baseline.

    Response means a fall of 50% or more (current <= baseline / 2, computed in integers to
    avoid rounding). With a zero baseline there is nothing to fall from, so ``response`` and
    ``change_percent`` are None. Remission is ``current < remission_below`` (5 suits PHQ-9).
    Precondition: both scores are non-negative integers.
    """
    for name, value in (("baseline", baseline), ("current", current)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")
    if baseline == 0:
        return TreatmentResponse(baseline, current, None, None, current < remission_below)
    change = (Decimal(current - baseline) * 100 / Decimal(baseline)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return TreatmentResponse(
        baseline, current, change, 2 * current <= baseline, current < remission_below
    )


# --------------------------------------------------------------------------- built-in scales
# Item texts are paraphrases of the public-domain PHQ-9, GAD-7 and C-SSRS screener.

# gettext_noop: marked for translation (patients answer the PHQ-9 in their language through
# the follow-up link, planning.followups.views); stored and scored in English.
_FREQUENCY_LABELS: Final = (
    gettext_noop("Not at all"),
    gettext_noop("Several days"),
    gettext_noop("More than half the days"),
    gettext_noop("Nearly every day"),
)


def _frequency_items(prefix: str, texts: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "link_id": f"{prefix}_{number}",
            "text": text,
            "options": [{"value": v, "label": label} for v, label in enumerate(_FREQUENCY_LABELS)],
        }
        for number, text in enumerate(texts, start=1)
    ]


def _bands(*spec: tuple[int, int, str]) -> list[dict[str, Any]]:
    return [{"min": low, "max": high, "label": label} for low, high, label in spec]


PHQ9_DEFINITION: Final[dict[str, Any]] = {
    "code": "phq9",
    "title": gettext_noop("Patient Health Questionnaire (PHQ-9)"),
    "version": "1",
    "instructions": "Over the last two weeks, how often have these problems bothered you?",
    "items": _frequency_items(
        "phq9",
        (
            gettext_noop(
                "Having little interest in, or getting little pleasure from, doing things"
            ),
            gettext_noop("Feeling low, depressed or hopeless"),
            gettext_noop(
                "Difficulty getting to sleep or staying asleep, or sleeping more than usual"
            ),
            gettext_noop("Feeling tired or low on energy"),
            gettext_noop("Not feeling like eating, or eating more than usual"),
            gettext_noop(
                "Feeling bad about yourself, that you are a failure, or that you have let "
                "yourself or your family down"
            ),
            gettext_noop(
                "Difficulty concentrating on things such as reading or watching television"
            ),
            gettext_noop(
                "Moving or talking so slowly that others might have noticed, or the opposite: "
                "being so restless or fidgety that you move around much more than usual"
            ),
            gettext_noop(
                "Thinking that you would be better off dead, or of harming yourself in some way"
            ),
        ),
    ),
    "scoring": {"method": "sum"},
    "bands": _bands(
        (0, 4, gettext_noop("None-minimal")),
        (5, 9, gettext_noop("Mild")),
        (10, 14, gettext_noop("Moderate")),
        (15, 19, gettext_noop("Moderately severe")),
        (20, 27, gettext_noop("Severe")),
    ),
    "alerts": [
        {"item": "phq9_9", "op": "gt", "value": 0, "message": "Suicidal ideation reported (item 9)"}
    ],
}

GAD7_DEFINITION: Final[dict[str, Any]] = {
    "code": "gad7",
    "title": gettext_noop("Generalised Anxiety Disorder scale (GAD-7)"),
    "version": "1",
    "instructions": "Over the last two weeks, how often have these problems bothered you?",
    "items": _frequency_items(
        "gad7",
        (
            "Feeling nervous, anxious or on edge",
            "Being unable to stop or control worrying",
            "Worrying too much about lots of different things",
            "Finding it hard to relax",
            "Being so restless that sitting still is difficult",
            "Getting annoyed or irritable easily",
            "Feeling afraid, as though something terrible might happen",
        ),
    ),
    "scoring": {"method": "sum"},
    "bands": _bands(
        (0, 4, gettext_noop("Minimal")),
        (5, 9, gettext_noop("Mild")),
        (10, 14, gettext_noop("Moderate")),
        (15, 21, gettext_noop("Severe")),
    ),
    "alerts": [],
}


def _yes_no_item(number: int, text: str, *, conditional: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "link_id": f"cssrs_{number}",
        "text": text,
        "options": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}],
    }
    if conditional:
        item |= {"required": False, "skip_unless": {"item": "cssrs_2", "equals": 1}}
    return item


CSSRS_SCREENER_DEFINITION: Final[dict[str, Any]] = {
    "code": "cssrs_screener",
    "title": "Columbia Suicide Severity Rating Scale, screener (C-SSRS)",
    "version": "1",
    "instructions": "Questions 1 and 2 are about the past month. Ask questions 3 to 5 only if "
    "the answer to question 2 is yes.",
    "items": [
        _yes_no_item(
            1,
            "In the past month, have you wished you were dead, or wished you could "
            "go to sleep and not wake up?",
        ),
        _yes_no_item(2, "In the past month, have you actually had thoughts of killing yourself?"),
        _yes_no_item(3, "Have you been thinking about how you might do it?", conditional=True),
        _yes_no_item(
            4,
            "Have you had these thoughts with some intention of acting on them?",
            conditional=True,
        ),
        _yes_no_item(
            5,
            "Have you begun to work out, or worked out, the details of how to kill "
            "yourself, and do you intend to carry out that plan?",
            conditional=True,
        ),
        _yes_no_item(
            6,
            "In the past three months, have you done anything, begun to do "
            "anything, or prepared to do anything to end your life?",
        ),
    ],
    "scoring": {
        "method": "any_positive",
        "items": [f"cssrs_{number}" for number in range(1, 7)],
        "high_risk_items": ["cssrs_4", "cssrs_5", "cssrs_6"],
    },
    "alerts": [
        {"result": "positive", "message": "Positive C-SSRS screen"},
        {
            "result": "high_risk",
            "message": "High-risk C-SSRS screen (intent, plan or recent suicidal behaviour)",
        },
    ],
}


def builtin_definitions() -> list[dict[str, Any]]:
    """Return deep copies of the shipped definitions, so callers may edit them freely."""
    return copy.deepcopy([PHQ9_DEFINITION, GAD7_DEFINITION, CSSRS_SCREENER_DEFINITION])
