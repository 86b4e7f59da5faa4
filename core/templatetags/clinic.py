"""The clinic's formats in templates: `{% load clinic %}` then `|day`, `|moment`, `|money`."""

from __future__ import annotations

from django import template

from core import dates

register = template.Library()
register.filter("day", dates.day)
register.filter("moment", dates.moment)
register.filter("money", dates.money)
