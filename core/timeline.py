"""Audit entries in plain words: one sentence per action code, for the case page's timeline
and the audit page of the sealed consent PDF alike.

Each app registers the wording of the actions it writes (`register_wording`, from its
`AppConfig.ready` or wiring), so core never imports the apps above it. A wording is a
`str.format` template or a function of the entry; the template sees `{who}` (the actor in
plain words), `{device}` (" on a phone", " on a computer" or nothing) and the entry's data
keys (a missing key reads as "?"). `tests/core/test_timeline_wording.py` fails for an action
the code base can write that has no wording here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.models import AuditEntry

# The kinds a timeline can be filtered by, in the order the filter shows them.
KINDS: dict[str, str] = {
    "case": "Case",
    "intake": "Intake",
    "consent": "Consent",
    "plan": "Plan",
    "sessions": "Sessions",
    "followups": "Follow-ups",
    "records": "Sealed records",
    "access": "Access",
    "security": "Security",
}

Wording = str | Callable[["AuditEntry"], str]
LinkFor = Callable[["AuditEntry"], "str | None"]


@dataclass(frozen=True)
class ActionWording:
    wording: Wording
    kind: str
    link: LinkFor | None = None


_WORDING: dict[str, ActionWording] = {}


def register_wording(
    action: str, wording: Wording, *, kind: str, link: LinkFor | None = None
) -> None:
    if kind not in KINDS:
        raise ValueError(f"{action}: unknown timeline kind {kind!r}")
    _WORDING[action] = ActionWording(wording, kind, link)


def register_many(kind: str, wordings: Mapping[str, Wording]) -> None:
    for action, wording in wordings.items():
        register_wording(action, wording, kind=kind)


def has_wording(action: str) -> bool:
    return action in _WORDING


def worded_actions() -> frozenset[str]:
    return frozenset(_WORDING)


def kind_of(action: str) -> str:
    known = _WORDING.get(action)
    return known.kind if known else "security"


def actions_of_kind(kind: str) -> list[str]:
    return sorted(action for action, w in _WORDING.items() if w.kind == kind)


class _Data(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def who(entry: AuditEntry) -> str:
    """The actor in plain words: the person's name, or what the trail says acted."""
    actor = entry.actor  # no query when the entry has no actor; select_related it otherwise
    if actor is not None:
        name: str = actor.display_name
        return name
    label = entry.actor_label or "the system"
    return "the system" if label == "system" else label


def device(entry: AuditEntry) -> str:
    agent = (entry.user_agent or "").lower()
    if not agent:
        return ""
    if any(word in agent for word in ("mobile", "iphone", "android", "ipad")):
        return " on a phone"
    return " on a computer"


def describe(entry: AuditEntry) -> str:
    """One sentence for the entry (the code itself, for an action nobody worded yet)."""
    known = _WORDING.get(entry.action)
    if known is None:
        return f"{entry.action} by {who(entry)}"
    if callable(known.wording):
        return known.wording(entry)
    data = _Data(entry.data if isinstance(entry.data, dict) else {})
    data.update(who=who(entry), device=device(entry))
    return known.wording.format_map(data)


def link_for(entry: AuditEntry) -> str | None:
    known = _WORDING.get(entry.action)
    return known.link(entry) if known is not None and known.link is not None else None
