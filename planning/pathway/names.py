"""People's names as typed at registration: kept in NFC, refused with a clear message when they
hold symbols or emoji, digits, control characters, or a pile of combining marks (which no
written language needs and which break the typed-name check at signing)."""

from __future__ import annotations

import unicodedata

MAX_COMBINING_MARKS = 2  # in a row, after NFC (precomposed letters count as none)
ALLOWED_PUNCTUATION = frozenset(" -'’.‐")


def normalise_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def name_problem(value: str) -> str | None:
    """None when the (normalised) name is acceptable, else what is wrong with it."""
    run = 0
    for char in value:
        category = unicodedata.category(char)
        run = run + 1 if category.startswith("M") else 0
        if run > MAX_COMBINING_MARKS:
            return "The name has too many accents on one letter."
        if category.startswith("L") or category.startswith("M") or char in ALLOWED_PUNCTUATION:
            continue
        if category.startswith("N"):
            return "A name cannot contain digits."
        return (
            f"A name cannot contain the symbol “{char}”: letters, spaces, hyphens and "
            "apostrophes only."
        )
    return None
