"""Display helpers for money kept in integer cents."""

from __future__ import annotations

from django import template

from core.dates import money

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """12345 -> "£123.45" (money is stored in integer cents; the clinic's currency is shown)."""
    return money(value)
