"""The clinic's formats in every template (a builtin): `|day`, `|moment`, `|stamp`, `|money`,
and `|event`: an audit entry in plain words (core.timeline)."""

from __future__ import annotations

from django import template

from core import dates, timeline

register = template.Library()
register.filter("day", dates.day)
register.filter("moment", dates.moment)
register.filter("money", dates.money)
register.filter("stamp", dates.stamp)
register.filter("event", timeline.describe)
