"""Pure text helpers: canonical text and its hash, Markdown to safe HTML, sections, names.

No database, no settings: easy to test and safe to call from anywhere.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import markdown
import nh3

_ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "b", "i", "br", "hr",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "section", "div", "span",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"section": {"id", "class"}, "h2": {"id"}, "div": {"class"}}


def canonical_text(body: str) -> str:
    """The text that is hashed: NFC, Unix newlines, no trailing spaces, one final newline."""
    text = unicodedata.normalize("NFC", body).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def sha256_hex(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Section:
    heading: str
    anchor: str
    markdown: str


_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def split_sections(body: str) -> list[Section]:
    """Split on level-2 headings. Text before the first heading is a section without one."""
    sections: list[Section] = []
    heading, lines = "", list[str]()
    for line in canonical_text(body).split("\n"):
        match = _HEADING.match(line)
        if match:
            if heading or "".join(lines).strip():
                sections.append(_section(heading, lines, len(sections)))
            heading, lines = match.group(1), []
        else:
            lines.append(line)
    if heading or "".join(lines).strip():
        sections.append(_section(heading, lines, len(sections)))
    return sections


def _section(heading: str, lines: list[str], index: int) -> Section:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(heading)).strip("-") or "intro"
    return Section(heading, f"s{index + 1}-{slug}", "\n".join(lines).strip())


def markdown_to_html(text: str) -> str:
    """Markdown to HTML with only harmless tags kept (raw HTML in the source is removed)."""
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES)


def render_section(section: Section) -> str:
    heading = (
        f'<h2 id="{section.anchor}">{_escape(section.heading)}</h2>' if section.heading else ""
    )
    return (
        f'<section class="doc-section" id="sec-{section.anchor}">{heading}'
        f"{markdown_to_html(section.markdown)}</section>"
    )


def render_document(body: str) -> str:
    """The whole document as sanitised HTML, one <section> per heading."""
    html = "".join(render_section(s) for s in split_sections(body))
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES)


def find_section(body: str, heading: str) -> Section | None:
    wanted = fold(heading)
    return next((s for s in split_sections(body) if fold(s.heading) == wanted), None)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LETTER_FOLDS = str.maketrans(
    {"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, whitespace collapsed.

    Used to compare a typed name with the record: "ZOË  o'Brien-Smith" matches
    "Zoe O'Brien Smith". Letters are never dropped, so a misspelling still differs.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Letters that carry their "accent" inside them (no decomposition) fold like the rest;
    # after casefold, so capitals (Ł, Ø) fold too.
    replaced = no_marks.casefold().translate(_LETTER_FOLDS)
    no_apostrophes = re.sub(r"['’`]", "", replaced)
    spaced = re.sub(r"[\s\-‐‑–—.,_]+", " ", no_apostrophes)
    return " ".join(spaced.split())


def names_match(typed: str, expected: str) -> bool:
    return bool(fold(typed)) and fold(typed) == fold(expected)
