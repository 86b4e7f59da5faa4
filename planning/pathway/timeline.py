"""The case page's timeline: the case's audit entries in plain words (`core.timeline`), newest
first, with a link to the sealed record an entry names, filtered by kind (`?kind=consent`).

Two queries whatever the number of events: the entries with their actors, capped at
`LIMIT` (the full trail stays in the audit log and its export).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core import timeline as wording
from core.access import read_audit_actions
from core.models import AuditEntry

if TYPE_CHECKING:
    from django.http import HttpRequest

    from planning.pathway.models import Case

LIMIT = 200


@dataclass(frozen=True)
class TimelineRow:
    when: datetime
    who: str
    text: str
    kind: str
    kind_label: str
    link: str | None


def case_timeline(case: Case, *, kind: str = "", viewer: Any = None) -> list[TimelineRow]:
    """With a `viewer`, clinical detail only for those who may read it (`core.timeline`), and
    links only to what their role may open."""
    clinical = viewer is None or wording.may_read_clinical(viewer)
    entries = AuditEntry.objects.filter(case_id=case.pk).select_related("actor")
    if kind in wording.KINDS:
        entries = entries.filter(action__in=wording.actions_of_kind(kind))
    if kind != "access":
        # Page views and downloads stay in the full trail (and under "Access").
        entries = entries.exclude(action__in=read_audit_actions() | {"record.download"})
    rows = []
    for entry in entries.order_by("-created_at", "-pk")[:LIMIT]:
        entry_kind = wording.kind_of(entry.action)
        rows.append(
            TimelineRow(
                when=entry.created_at,
                who=wording.who(entry),
                text=wording.describe(entry, clinical=clinical),
                kind=entry_kind,
                kind_label=wording.KINDS[entry_kind],
                link=wording.link_for(entry, viewer),
            )
        )
    return rows


def case_timeline_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    kind = kind if kind in wording.KINDS else ""
    return {
        "timeline": case_timeline(case, kind=kind, viewer=request.user),
        "timeline_kind": kind,
        "timeline_kinds": list(wording.KINDS.items()),
        "timeline_limit": LIMIT,
    }
