"""Dates and links as the board and the work queues show them, for a page of rows at once.

Django's `date` filter looks the month's name up in the active translation for every value;
over a page of rows that lookup cost more than the rows' query (bench/workspace.py). A
`ShortDates` looks the twelve names up once and then formats each value as the filter would
(tests/planning/pathway/test_board_formats.py compares the two).
"""

from __future__ import annotations

import html
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3


def escape(value: object) -> str:
    """django.utils.html.escape without its lazy-string wrapper (the same characters), for the
    rows and lines built in Python (planning.pathway.board, planning.pathway.queues)."""
    return html.escape(str(value))


class ShortDates:
    """Made per request (the language and time zone are the request's)."""

    def __init__(self) -> None:
        self.months = {m: str(MONTHS_3[m]).title() for m in range(1, 13)}
        self.zone = timezone.get_current_timezone()

    def _local(self, value: date) -> date:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value, self.zone)
        return value

    def day(self, value: date | None) -> str:
        """`value|date:"j M Y"`."""
        if value is None:
            return ""
        value = self._local(value)
        return f"{value.day} {self.months[value.month]} {value.year:04d}"

    def day_time(self, value: datetime | None) -> str:
        """`value|date:"j M H:i"`."""
        if value is None:
            return ""
        local = self._local(value)
        assert isinstance(local, datetime)
        return f"{local.day} {self.months[local.month]} {local.hour:02d}:{local.minute:02d}"


class UrlPattern:
    """`reverse(viewname, args=[...])` for many rows' integer ids, reversed once: the URL is
    reversed with marker ids and each row's ids are put in their places in one pass. (Where a
    marker does not come out exactly once, every call reverses.)"""

    _MARKS = (987654321, 987654323, 987654329)

    def __init__(self, viewname: str, arity: int = 1, suffix: str = "") -> None:
        self.viewname, self.suffix = viewname, suffix
        marks = [str(m) for m in self._MARKS[:arity]]
        url = reverse(viewname, args=[int(m) for m in marks])
        template: str | None = url.replace("{", "{{").replace("}", "}}")
        for i, mark in enumerate(marks):
            if template is not None and template.count(mark) == 1:
                template = template.replace(mark, f"{{{i}}}")
            else:
                template = None
        self.template = template

    def __call__(self, *ids: int) -> str:
        if self.template is None:
            return reverse(self.viewname, args=list(ids)) + self.suffix
        return self.template.format(*(int(i) for i in ids)) + self.suffix
