"""Display helpers for money kept in integer cents."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """12345 -> "123.45" (money is stored in integer cents)."""
    if value is None:
        return "—"
    return f"{int(value) / 100:,.2f}"
