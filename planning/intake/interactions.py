"""Clinic-editable drug interaction screening against ketamine/esketamine.

Pure Python (no Django, no database). Classes and rules arrive as JSON-shaped dicts (the
shipped ones: `planning/migrations/frozen/0005_intake_reference.json`) so a clinic can edit
them without a code change; each call validates them, so a bad edit fails loudly instead of
silently missing an interaction.

Matching is deliberately conservative and explainable: a medication string is normalised,
a brand name or alias is mapped to its generic, and the generic is looked up in the classes.
There is no fuzzy matching, so a misspelt drug produces no flag rather than a wrong one; the
UI should show which entries were not recognised (see :meth:`MedicationIndex.is_known`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "InteractionDataError",
    "InteractionFlag",
    "InteractionRule",
    "MedicationClass",
    "MedicationIndex",
    "Severity",
    "match_interactions",
    "normalise",
    "parse_classes",
    "parse_rules",
]

Severity = Literal["info", "caution", "major"]
_SEVERITY_RANK: Final[Mapping[str, int]] = {"major": 0, "caution": 1, "info": 2}

# Trailing tokens that describe strength, release form, dosage form or salt, not the drug.
_FORM_TOKENS: Final = frozenset(
    {
        *("tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps", "pill"),
        *("xr", "er", "sr", "cr", "xl", "la", "ir", "dr", "ec", "odt", "cd", "xr-odt"),
        *("patch", "oral", "solution", "suspension", "injection", "liquid", "drops", "spray"),
        *("mg", "mcg", "μg", "g", "ml", "iu", "unit", "units", "%"),
        *("hcl", "hydrochloride", "sulfate", "sulphate", "tartrate", "bitartrate", "citrate"),
        *("mesylate", "dimesylate", "salts"),
    }
)
_STRENGTH: Final = re.compile(r"^\d+(?:[.,]\d+)?(?:mg|mcg|μg|g|ml|%|iu|units?)?(?:/\S*)?$")
_UNIT_RATIO: Final = re.compile(r"^(?:mg|mcg|μg|g|ml)/\S*$")
_PUNCTUATION: Final = re.compile(r"[^\w\s./%-]")


class InteractionDataError(ValueError):
    """Interaction classes or rules are malformed; the message names the entry."""


@dataclass(frozen=True)
class MedicationClass:
    """Names are stored normalised; ``synonyms`` maps alias -> generic member."""

    code: str
    label: str
    members: frozenset[str]
    synonyms: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InteractionRule:
    """``matches`` are class codes or drug names, kept as written (normalised at match time)."""

    code: str
    matches: tuple[str, ...]
    severity: Severity
    note: str


@dataclass(frozen=True)
class InteractionFlag:
    """One rule triggered by one medication.

    ``class_code`` is the class through which the rule matched, or None when the rule named
    the drug directly. ``medication`` is the entry exactly as the user typed it.
    """

    rule_code: str
    medication: str
    generic: str
    class_code: str | None
    severity: Severity
    note: str


# --------------------------------------------------------------------------- normalising


def normalise(name: str) -> str:
    """Reduce a medication entry to a comparable key: "Lamictal XR 100mg" -> "lamictal".

    Casefolds, strips accents (NFKD, combining marks removed), drops punctuation other than
    ``. / % -``, collapses whitespace, then removes trailing strength/form/salt tokens. The
    first token is always kept, so a bare "XR" is not reduced to an empty string.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    tokens = _PUNCTUATION.sub(" ", plain).split()
    while len(tokens) > 1 and _is_dosage_token(tokens[-1]):
        tokens.pop()
    return " ".join(tokens)


def _is_dosage_token(token: str) -> bool:
    bare = token.rstrip(".")
    return bare in _FORM_TOKENS or bool(_STRENGTH.match(bare) or _UNIT_RATIO.match(bare))


# --------------------------------------------------------------------------- parsing


def _field(raw: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise InteractionDataError(f"{where}: {key!r} must be a non-empty {kind.__name__}")
    return value


def _names(values: Iterable[object], where: str) -> list[str]:
    names = [normalise(value) if isinstance(value, str) else "" for value in values]
    if not names or "" in names:
        raise InteractionDataError(f"{where}: expected a non-empty list of non-empty names")
    return names


def parse_classes(raw: Sequence[Mapping[str, Any]]) -> tuple[MedicationClass, ...]:
    """Validate class dicts. Rejects duplicate codes, synonyms that point outside their own
    class (usually a typo such as "lorazepan"), and an alias mapped to two different generics.
    """
    classes: list[MedicationClass] = []
    aliases: dict[str, str] = {}
    for index, entry in enumerate(raw):
        parsed = _parse_class(entry, f"classes[{index}]")
        if any(existing.code == parsed.code for existing in classes):
            raise InteractionDataError(f"classes[{index}]: duplicate code {parsed.code!r}")
        for alias, generic in parsed.synonyms.items():
            if aliases.setdefault(alias, generic) != generic:
                raise InteractionDataError(
                    f"classes[{index}]: {alias!r} already means {aliases[alias]!r}"
                )
        classes.append(parsed)
    return tuple(classes)


def _parse_class(entry: Mapping[str, Any], where: str) -> MedicationClass:
    if not isinstance(entry, Mapping):
        raise InteractionDataError(f"{where}: expected an object")
    members = frozenset(_names(_field(entry, "members", list, where), f"{where}.members"))
    raw_synonyms = entry.get("synonyms", {})
    if not isinstance(raw_synonyms, Mapping):
        raise InteractionDataError(f"{where}.synonyms: expected an object")
    synonyms: dict[str, str] = {}
    for alias, generic in raw_synonyms.items():
        [alias_key, generic_key] = _names([alias, generic], f"{where}.synonyms")
        if generic_key not in members:
            raise InteractionDataError(f"{where}.synonyms: {generic!r} is not a member")
        synonyms[alias_key] = generic_key
    return MedicationClass(
        code=_field(entry, "code", str, where),
        label=_field(entry, "label", str, where),
        members=members,
        synonyms=synonyms,
    )


def parse_rules(raw: Sequence[Mapping[str, Any]]) -> tuple[InteractionRule, ...]:
    """Validate rule dicts: unique codes, a known severity, at least one match entry."""
    rules: list[InteractionRule] = []
    for index, entry in enumerate(raw):
        rule = _parse_rule(entry, f"rules[{index}]")
        if any(existing.code == rule.code for existing in rules):
            raise InteractionDataError(f"rules[{index}]: duplicate code {rule.code!r}")
        rules.append(rule)
    return tuple(rules)


def _parse_rule(entry: Mapping[str, Any], where: str) -> InteractionRule:
    if not isinstance(entry, Mapping):
        raise InteractionDataError(f"{where}: expected an object")
    matches = _field(entry, "matches", list, where)
    _names(matches, f"{where}.matches")
    severity = entry.get("severity")
    if severity not in ("info", "caution", "major"):
        raise InteractionDataError(f"{where}.severity: expected 'info', 'caution' or 'major'")
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise InteractionDataError(f"{where}.note: expected a string")
    return InteractionRule(
        code=_field(entry, "code", str, where),
        matches=tuple(matches),
        severity=severity,
        note=note,
    )


# --------------------------------------------------------------------------- matching


class MedicationIndex:
    """Lookup tables built from parsed classes: alias -> generic, generic -> class codes."""

    def __init__(self, classes: Iterable[MedicationClass]) -> None:
        self._generic: dict[str, str] = {}
        self._classes_of: dict[str, set[str]] = {}
        self._class_codes: dict[str, str] = {}
        for medication_class in classes:
            self._class_codes[normalise(medication_class.code)] = medication_class.code
            self._generic.update(medication_class.synonyms)
            for member in medication_class.members:
                self._classes_of.setdefault(member, set()).add(medication_class.code)

    def generic(self, name: str) -> str:
        """Return the normalised generic for a brand, alias or generic name."""
        key = normalise(name)
        return self._generic.get(key, key)

    def classes_of(self, generic: str) -> frozenset[str]:
        """Precondition: ``generic`` is already normalised (as returned by :meth:`generic`)."""
        return frozenset(self._classes_of.get(generic, ()))

    def class_code(self, entry: str) -> str | None:
        """Return the class code a rule entry refers to, or None if it names a drug."""
        return self._class_codes.get(normalise(entry))

    def is_known(self, name: str) -> bool:
        return self.generic(name) in self._classes_of


def _matched_via(
    rule: InteractionRule, generic: str, index: MedicationIndex
) -> tuple[bool, str | None]:
    """Return (matched, class code used). The first matching entry in ``rule.matches`` wins."""
    for entry in rule.matches:
        class_code = index.class_code(entry)
        if class_code is not None:
            if class_code in index.classes_of(generic):
                return True, class_code
        elif index.generic(entry) == generic:
            return True, None
    return False, None


def match_interactions(
    medications: Sequence[str],
    *,
    classes: Sequence[Mapping[str, Any]],
    rules: Sequence[Mapping[str, Any]],
) -> list[InteractionFlag]:
    """Flag every (rule, medication) pair that applies, most severe first.

    At most one flag per rule and generic drug: "Xanax" and "alprazolam 1 mg" on the same
    list give one flag per rule, reported under the first entry. Blank and unrecognised
    entries give no flag. Order: severity (major, caution, info), then medication as entered
    (case-insensitive), then rule code. Raises InteractionDataError for malformed data.
    """
    index = MedicationIndex(parse_classes(classes))
    parsed_rules = parse_rules(rules)
    flags: dict[tuple[str, str], InteractionFlag] = {}
    for medication in medications:
        if not medication.strip():
            continue
        generic = index.generic(medication)
        for rule in parsed_rules:
            matched, class_code = _matched_via(rule, generic, index)
            if matched and (rule.code, generic) not in flags:
                flags[rule.code, generic] = InteractionFlag(
                    rule.code, medication, generic, class_code, rule.severity, rule.note
                )
    return sorted(
        flags.values(),
        key=lambda flag: (
            _SEVERITY_RANK[flag.severity],
            flag.medication.casefold(),
            flag.rule_code,
        ),
    )
