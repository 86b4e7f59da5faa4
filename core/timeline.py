"""Audit entries in plain words: one sentence per action code, for the case page's timeline
and the audit page of the sealed consent PDF alike.

Each app registers the wording of the actions it writes (`register_wording`, from its
`AppConfig.ready` or wiring), so core never imports the apps above it. A wording is a
`str.format` template or a function of the entry; the template sees `{who}` (the actor in
plain words), `{device}` (" on a phone", " on a computer" or nothing) and the entry's data
keys (a missing key reads as "?"). `tests/core/test_timeline_wording.py` fails for an action
the code base can write that has no wording here.

Need to know: an action whose sentence carries clinical detail (a medication, a score, a
dose, an alert's text) registers a `restricted` wording too, which is what a viewer without
`planning.view_clinical` (admin staff) reads instead; and a link names the access action that
guards its target (`link_action`), so nobody is offered a link that would refuse them.
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
    restricted: Wording | None = None
    link_action: LinkFor | None = None


# The permission that lets a viewer read clinical detail (`restricted` wordings are for the rest).
CLINICAL_PERMISSION = "planning.view_clinical"


_WORDING: dict[str, ActionWording] = {}


def register_wording(
    action: str,
    wording: Wording,
    *,
    kind: str,
    link: LinkFor | None = None,
    restricted: Wording | None = None,
    link_action: LinkFor | None = None,
) -> None:
    if kind not in KINDS:
        raise ValueError(f"{action}: unknown timeline kind {kind!r}")
    _WORDING[action] = ActionWording(wording, kind, link, restricted, link_action)


def register_many(
    kind: str, wordings: Mapping[str, Wording], *, restricted: Mapping[str, Wording] | None = None
) -> None:
    """`restricted`: the wording without clinical detail, for the actions that need one."""
    restricted = restricted or {}
    unknown = set(restricted) - set(wordings)
    if unknown:
        raise ValueError(f"restricted wording for actions without a wording: {sorted(unknown)}")
    for action, wording in wordings.items():
        register_wording(action, wording, kind=kind, restricted=restricted.get(action))


def restricted_actions() -> frozenset[str]:
    """The actions whose full sentence is for clinical staff only."""
    return frozenset(action for action, w in _WORDING.items() if w.restricted is not None)


def may_read_clinical(user: Any) -> bool:
    return bool(user is not None and user.has_perm(CLINICAL_PERMISSION))


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


def describe(entry: AuditEntry, *, clinical: bool = True) -> str:
    """One sentence for the entry (the code itself, for an action nobody worded yet); with
    `clinical=False`, the sentence without clinical detail where the action has one."""
    known = _WORDING.get(entry.action)
    if known is None:
        return f"{entry.action} by {who(entry)}"
    wording = known.wording if clinical or known.restricted is None else known.restricted
    if callable(wording):
        return wording(entry)
    data = _Data(entry.data if isinstance(entry.data, dict) else {})
    data.update(who=who(entry), device=device(entry))
    return wording.format_map(data)


def link_for(entry: AuditEntry, viewer: Any = None) -> str | None:
    """The link to what the entry names; with a `viewer`, only if their role may open it."""
    known = _WORDING.get(entry.action)
    if known is None or known.link is None:
        return None
    if viewer is not None and known.link_action is not None:
        from core.access import get_action

        guard = known.link_action(entry)
        if guard is None or not get_action(guard).allows_any(viewer):
            return None
    return known.link(entry)
