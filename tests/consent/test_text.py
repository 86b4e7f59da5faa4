from __future__ import annotations

import pytest

from consent.text import canonical_text, find_section, names_match, sha256_hex, split_sections


@pytest.mark.parametrize(
    ("typed", "expected", "match"),
    [
        ("zoe o'hara-lindqvist", "Zoë O'Hara-Lindqvist", True),
        ("ZOË O’HARA LINDQVIST", "Zoë O'Hara-Lindqvist", True),
        ("  José   Núñez ", "Jose Nunez", True),
        ("Jose Nunes", "José Núñez", False),
        ("José", "José Núñez", False),
        ("", "José Núñez", False),
        ("Søren Kierkegård", "Soren Kierkegard", True),
    ],
)
def test_names_match(typed: str, expected: str, match: bool) -> None:
    assert names_match(typed, expected) is match


def test_canonical_text_ignores_line_endings_and_trailing_spaces() -> None:
    a = canonical_text("## A  \r\ntext\r\n\r\n")
    assert a == canonical_text("## A\ntext") == "## A\ntext\n"
    assert sha256_hex(a) != sha256_hex(canonical_text("## A\ntext!"))


def test_sections_and_lookup_by_heading() -> None:
    body = "Intro.\n\n## Risks and side effects\n\nNausea.\n\n## Costs\n\nMoney."
    assert [s.heading for s in split_sections(body)] == ["", "Risks and side effects", "Costs"]
    found = find_section(body, "risks AND side effects")
    assert found is not None and found.markdown == "Nausea."
