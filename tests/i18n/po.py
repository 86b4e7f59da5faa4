"""A small reader of gettext .po files (polib is not a dependency): enough to check that every
message has a non-empty, non-fuzzy translation and that the compiled .mo says the same."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(v.strip() for v in self.msgstr.values())


def _unquote(text: str) -> str:
    return str(ast.literal_eval(text))


def parse(path: Path) -> list[Entry]:
    """Entries in file order; the header (empty msgid) is left out."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = _parse_block(block)
        if entry is not None and entry.msgid:
            entries.append(entry)
    return entries


def _parse_block(block: str) -> Entry | None:
    entry, target, seen = Entry(), "", False
    for raw in block.strip().splitlines():
        line = raw
        if line.startswith("#~"):
            entry.obsolete, line = True, line[2:].strip()
        if line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.msgctxt, target = _unquote(line[8:]), "ctxt"
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _unquote(line[13:]), "plural"
        elif line.startswith("msgid "):
            entry.msgid, target, seen = _unquote(line[6:]), "id", True
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            entry.msgstr[index] = _unquote(line[line.index("]") + 1 :].strip())
            target = f"str{index}"
        elif line.startswith("msgstr "):
            entry.msgstr[0], target = _unquote(line[7:]), "str0"
        elif line.startswith('"'):
            _append(entry, target, _unquote(line))
    return entry if seen else None


def _append(entry: Entry, target: str, text: str) -> None:
    if target == "id":
        entry.msgid += text
    elif target == "plural":
        entry.msgid_plural += text
    elif target == "ctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif target.startswith("str"):
        index = int(target[3:])
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
