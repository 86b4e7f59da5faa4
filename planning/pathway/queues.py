"""Work queues per role: the physician's, the nurse's and admin staff's lists of things to do.

A queue is a list of sections; each sub-domain registers the sections it owns from its
`workspace.wire()` (the pathway never imports them). A section reads its items with one bounded
query (`LIMIT`), so a queue page costs a fixed number of queries whatever the number of cases.
Each item links to the page where the work is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.safestring import SafeString

from planning.pathway.formats import ShortDates, escape

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from planning.pathway.models import Case


class Queue(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    ADMIN_STAFF = "admin_staff", "Admin staff"


# Which roles (core.roles.Role values) see which queue.
QUEUE_ROLES: dict[str, tuple[str, ...]] = {
    Queue.PHYSICIAN: ("physician",),
    Queue.NURSE: ("clinician", "physician"),
    Queue.ADMIN_STAFF: ("admin_staff", "clinic_admin"),
}

SECTION_LIMIT = 50


@dataclass(frozen=True)
class QueueItem:
    case_id: int
    patient: str
    mrn: str
    what: str
    url: str
    when: date | datetime | None = None
    overdue: bool = False


Items = Callable[["QuerySet[Case]", datetime, int], list[QueueItem]]


@dataclass(frozen=True)
class QueueSection:
    """`items(cases, now, limit)` returns at most `limit` items among `cases` (one query)."""

    key: str
    queue: str
    title: str
    order: int
    items: Items
    empty: str = "Nothing to do."


@dataclass(frozen=True)
class FilledSection:
    key: str
    title: str
    items: list[QueueItem]
    more: bool
    empty: str

    @property
    def items_html(self) -> list[SafeString]:
        """Each item's `<li>`, built in Python (`item_html`): a queue's hundred-odd lines read
        through template lookups and the `date` filter cost more than its queries."""
        dates = ShortDates()
        return [item_html(entry, dates) for entry in self.items]


# One queue line; every value is escaped (names, record numbers, message subjects and errors).
ITEM_HTML = (
    '<li data-testid="queue-item" data-case="{case_id}"><a href="{url}">{patient}</a> '
    '<span class="muted">{mrn}</span> — {what}{when}{overdue}</li>'
)


def item_html(entry: QueueItem, dates: ShortDates) -> SafeString:
    e = escape
    when = f' <span class="muted">{e(dates.day(entry.when))}</span>' if entry.when else ""
    return SafeString(
        ITEM_HTML.format(
            case_id=entry.case_id,
            url=e(entry.url),
            patient=e(entry.patient),
            mrn=e(entry.mrn),
            what=e(entry.what),
            when=when,
            overdue=' <span class="badge danger">overdue</span>' if entry.overdue else "",
        )
    )


_sections: dict[str, QueueSection] = {}


def register_section(section: QueueSection) -> None:
    _sections[section.key] = section


def sections_of(queue: str) -> list[QueueSection]:
    return sorted((s for s in _sections.values() if s.queue == queue), key=lambda s: s.order)


def queue_sections(queue: str, cases: QuerySet[Case], now: datetime) -> list[FilledSection]:
    """Every section of `queue` with up to SECTION_LIMIT items (one query each)."""
    filled = []
    for section in sections_of(queue):
        items = section.items(cases, now, SECTION_LIMIT + 1)
        filled.append(
            FilledSection(
                section.key,
                section.title,
                items[:SECTION_LIMIT],
                len(items) > SECTION_LIMIT,
                section.empty,
            )
        )
    return filled


def queues_for(roles: set[str], *, superuser: bool = False) -> list[str]:
    return [q for q, allowed in QUEUE_ROLES.items() if superuser or roles & set(allowed)]


# What `item` reads of a line's case and patient, for a section's `.only(...)` (a line shows a
# name and a record number, not the whole records). django-fsm reads the state when the case
# is built.
ITEM_CASE_FIELDS = (
    "case__id",
    "case__state",
    "case__patient__given_name",
    "case__patient__family_name",
    "case__patient__mrn",
)


def item(case: Any, what: str, url: str, **kwargs: Any) -> QueueItem:
    """An item for `case` (its patient loaded with select_related)."""
    return QueueItem(case.pk, case.patient.full_name, case.patient.mrn, what, url, **kwargs)
