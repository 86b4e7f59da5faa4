"""Bounds every input shares: text lengths, the date windows and finite numbers, in one place.

A value outside them is almost always a typing error or an attack, and several are also
crashes waiting to happen: a plan starting in the year 9999 overflows the first `timedelta`
added to it, a `nan` compares false with every threshold, a megabyte note is kept forever in
the audit trail. Forms, API serializers and the JSON bodies use these; each refusal is a
`ValidationError` with a message the person can act on (a field error, or a 400 in the API).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import day as clinic_day
from core.errors import ValidationFailed

#: Lengths of free text, by purpose (characters).
NAME_MAX = 150  # a person's name, a title, a lot number
SHORT_TEXT_MAX = 200  # one line: a referral source, a follow-up title
REASON_MAX = 4000  # a reason, a note, a decision
CLINICAL_TEXT_MAX = 10000  # a history, symptoms, monitoring requirements

DOCUMENT_TEXT_MAX = 200_000  # a consent document's body, a questionnaire's definition (JSON)

#: The clinic's tunable numbers (ClinicSettings, edited in the admin): field -> (lowest,
#: highest) accepted. Beyond them a value is a typing error, and some would break what uses
#: them (a link valid for 10^18 days overflows the date arithmetic).
CLINIC_SETTINGS_RANGES: dict[str, tuple[int, int]] = {
    "bp_systolic_max": (90, 220),
    "bp_diastolic_max": (50, 140),
    "minimum_age": (12, 99),
    "adequate_trials_for_trd": (0, 10),
    "adequate_trial_min_weeks": (1, 52),
    "consent_link_days": (1, 90),
    "link_max_dob_attempts": (1, 20),
    "idle_timeout_minutes": (2, 30),
    "predose_systolic_max": (90, 220),
    "predose_diastolic_max": (50, 140),
    "dose_tolerance_percent": (0, 100),
    "session_early_days": (0, 30),
    "childbearing_age_min": (8, 30),
    "childbearing_age_max": (40, 70),
}

#: Numbers: a dose in mg (or mg/kg) is above zero and at most this; the protocol narrows it.
DOSE_MAX = Decimal("1000")
#: A row id: a positive 64-bit integer.
ID_MAX = 2**63 - 1

#: The earliest plausible year of birth.
BIRTH_YEAR_MIN = 1900
#: Schedules (plan start, follow-ups, sessions): this far back and ahead of today.
SCHEDULE_PAST = timedelta(days=366)
SCHEDULE_FUTURE = timedelta(days=2 * 366)
#: Times of something that happened (dosing, discharge, a meal): within this far back.
EVENT_PAST = timedelta(days=366)
EVENT_FUTURE = timedelta(days=1)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def validate_birth_date(value: date | None) -> None:
    """Not before 1900 and not in the future."""
    if value is None:
        return
    if value.year < BIRTH_YEAR_MIN:
        raise ValidationError(
            _("Please check the year of birth (not before %(year)s).") % {"year": BIRTH_YEAR_MIN},
            code="too_early",
        )
    if value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")


def _window(value: date | datetime | None, past: timedelta, future: timedelta, what: str) -> None:
    if value is None:
        return
    day, today = _day(value), timezone.localdate()
    earliest, latest = today - past, today + future
    if not earliest <= day <= latest:
        # In the clinic's own date format, the one the rest of the page uses.
        values = {"earliest": clinic_day(earliest), "latest": clinic_day(latest)}
        message = (
            _("The time must be between %(earliest)s and %(latest)s.")
            if what == "time"
            else _("The date must be between %(earliest)s and %(latest)s.")
        )
        raise ValidationError(message % values, code="out_of_window")


def validate_schedule_date(value: date | datetime | None) -> None:
    """A plan start, follow-up or session date: within a year back and two years ahead."""
    _window(value, SCHEDULE_PAST, SCHEDULE_FUTURE, "date")


def validate_event_time(value: date | datetime | None) -> None:
    """When something happened: within the last year, and not later than tomorrow."""
    _window(value, EVENT_PAST, EVENT_FUTURE, "time")


def validate_finite(value: Any) -> None:
    """Refuse NaN and infinities (a float or a Decimal)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(_("Please enter a finite number."), code="not_finite")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValidationError(_("Please enter a finite number."), code="not_finite")


def check_text(**values: tuple[str, int]) -> None:
    """For a service given raw text (not through a form): each `name=(value, limit)` at most
    `limit` characters and free of NUL; else ValidationFailed naming every bad field."""
    problems = {}
    for name, (value, limit) in values.items():
        if len(value) > limit:
            problems[name] = too_long_message(limit, len(value))
        elif "\x00" in value:
            problems[name] = _("Null characters are not allowed.")
    if problems:
        raise ValidationFailed(problems)


def too_long_message(limit: int, length: int) -> str:
    return _("At most %(limit)s characters, please (this has %(length)s).") % {
        "limit": limit,
        "length": length,
    }


def within_date_limits(value: str) -> bool:
    """True if an ISO date or date-time text has a plausible four-digit year (1900-2999):
    for inputs parsed by hand (FHIR), before `date.fromisoformat` and arithmetic see it."""
    year = value[:4]
    return len(value) >= 10 and year.isdigit() and 1900 <= int(year) <= 2999


def reject_json_constant(name: str) -> Any:
    """`json.loads(..., parse_constant=reject_json_constant)`: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not a number JSON allows")
