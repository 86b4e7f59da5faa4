"""One date format per audience: the clinic's, on pages and PDFs alike (settings
`CLINIC_DATE_FORMAT`, `CLINIC_DATETIME_FORMAT`), in the clinic's time zone; and money in integer
cents shown with the clinic's currency (`CLINIC_CURRENCY`)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

# The dates a person may type (a date of birth, a search): ISO, and day first with / or .
# The one list for every form and search that reads a typed date.
DATE_INPUT_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")

_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "CAD": "CA$", "AUD": "A$"}


def clinic_language() -> translation.override:
    """For text staff read or that is stored (a notice, a follow-up's title): the clinic's
    language, whoever's request (a Spanish patient's) causes it to be written."""
    return translation.override(settings.LANGUAGE_CODE)


def day(value: date | datetime | None) -> str:
    """3 Dec 2026 (a datetime is taken in the clinic's time zone first)."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, settings.CLINIC_DATE_FORMAT)


def moment(value: datetime | None) -> str:
    """3 Dec 2026, 14:05 in the clinic's time zone."""
    if value is None:
        return "—"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, settings.CLINIC_DATETIME_FORMAT)


def stamp(value: datetime | None) -> str:
    """3 Dec 2026, 14:05:09: the clinic's day with the time to the second (audit pages)."""
    if value is None:
        return "—"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{day(value)}, {date_format(value, 'H:i:s')}"


def money(cents: int | None) -> str:
    """45000 -> "£450.00" (or "450.00 CHF" for a currency without a symbol here)."""
    if cents is None:
        return "—"
    amount = f"{int(cents) / 100:,.2f}"
    code = settings.CLINIC_CURRENCY
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{amount}" if symbol else f"{amount} {code}"
