"""The rendered-page check: a patient page shown in Spanish keeps none of the human text the
same page shows in English. Templates are linted statically (lint.py); text built in Python
(chart titles, legends, axis words, the response/remission sentences, form errors) only shows
up once a page is rendered, so it is compared here.

`pieces(html, within=...)` reads the human text of a page (text nodes and the attributes people
read), optionally only inside elements marked by one of `within`: a data-testid prefix, a class
(".field-error") or a role ("role=alert"); dates,
numbers and the technical names of lint.py are left out, so "PHQ-9 8, 3 Nov 2026" is no text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.i18n.lint import HUMAN_ATTRIBUTES, TECHNICAL

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Ene|Abr|Ago|Sept|Dic"
DATE = re.compile(rf"\b\d{{1,2}} (?:{MONTHS})\.?(?: \d{{4}})?\b", re.I)
# Words spelled the same in both languages (what a reviewer accepted, not a way out).
SAME_IN_SPANISH = frozenset({"No", "Total", "—"})
VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"})


def human(text: str) -> str:
    """The text with dates, numbers, technical names and punctuation-only runs removed."""
    text = DATE.sub(" ", TECHNICAL.sub(" ", text))
    text = " ".join(text.split())
    return text if re.search(r"[^\W\d_]", text) and text not in SAME_IN_SPANISH else ""


class _Reader(HTMLParser):
    def __init__(self, within: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.within = within
        self.stack: list[bool] = []  # per open element: inside a wanted section?
        self.found: list[str] = []

    @property
    def inside(self) -> bool:
        return not self.within or any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        marks = [values.get("data-testid") or ""]
        marks += [f".{c}" for c in (values.get("class") or "").split()]
        marks += [f"role={values['role']}"] if values.get("role") else []
        opens = any(m.startswith(w) for m in marks if m for w in self.within)
        if self.inside or opens:
            for name, value in attrs:
                if value and any(re.fullmatch(p, name) for p in HUMAN_ATTRIBUTES):
                    self._keep(value)
        if tag not in VOID:
            self.stack.append(opens)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.inside:
            self._keep(data)

    def _keep(self, text: str) -> None:
        if kept := human(text):
            self.found.append(kept)


def pieces(html: str, *, within: tuple[str, ...] = ()) -> list[str]:
    reader = _Reader(within)
    reader.feed(html)
    return reader.found


def left_in_english(english: str, spanish: str, *, within: tuple[str, ...] = ()) -> list[str]:
    """The human text of the Spanish page that is word for word the English page's."""
    english_text = set(pieces(english, within=within))
    return [p for p in pieces(spanish, within=within) if p in english_text]
