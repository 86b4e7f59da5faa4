"""The input bounds (core.validators) on the inputs that used to crash: each one refused with a
message, never a 500. The property-based tests (tests/security, tests/api/test_fuzz_api.py)
search further; these pin the known cases."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.signature_checks import SignatureImplausible, check_signature
from core.errors import ValidationFailed
from core.forms import FiniteDecimalField
from core.jsonbody import parse_json
from core.validators import (
    check_text,
    validate_birth_date,
    validate_event_time,
    validate_schedule_date,
)
from demo.consent import demo_signature
from planning.followups.views import FollowUpAddForm, RescheduleForm
from planning.intake.forms import TrialForm


def test_dates_outside_their_window_are_refused_with_a_message() -> None:
    today = timezone.localdate()
    for value in (date(9999, 12, 31), date(1, 1, 1), today + timedelta(days=800)):
        with pytest.raises(ValidationError, match="must be between"):
            validate_schedule_date(value)
    validate_schedule_date(today + timedelta(days=30))
    with pytest.raises(ValidationError, match="future"):
        validate_birth_date(today + timedelta(days=1))
    with pytest.raises(ValidationError, match="1900"):
        validate_birth_date(date(1899, 12, 31))
    with pytest.raises(ValidationError):
        validate_event_time(timezone.now() + timedelta(days=3))


def test_the_window_is_given_in_the_clinics_date_format(settings) -> None:
    """Not "28/11/2025" beside a date field that shows 11/28/2025 and pages that say 28 Nov."""
    from core.dates import day

    settings.CLINIC_DATE_FORMAT = "j M Y"
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        validate_schedule_date(today + timedelta(days=800))
    message = refused.value.messages[0]
    assert day(today - timedelta(days=366)) in message
    assert day(today + timedelta(days=2 * 366)) in message
    assert "/" not in message


@pytest.mark.django_db
@pytest.mark.parametrize("due", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_follow_up_dates_in_year_9999_or_1_are_field_errors(due: str) -> None:
    form = FollowUpAddForm(
        {"kind": "custom", "title": "Call", "due_at": due, "window_hours": "48", "note": ""}
    )
    assert not form.is_valid() and "due_at" in form.errors
    assert not RescheduleForm({"due_at": due}).is_valid()


def test_a_signalling_nan_is_an_invalid_number_not_a_crash() -> None:
    field = FiniteDecimalField(max_digits=7, decimal_places=2)
    for value in ("sNaN", "NaN", "Infinity", "-inf"):
        with pytest.raises(ValidationError):
            field.clean(value)
    trial = TrialForm({"drug": "x", "dose_mg": "sNaN", "weeks": "3", "response": "none"})
    assert not trial.is_valid() and "dose_mg" in trial.errors


def test_unbounded_free_text_is_refused_by_services_too() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_text(note=("x" * 4001, 4000), reason=("a\x00b", 100))
    assert set(refused.value.fields) == {"note", "reason"}


def _strokes(points: list[dict[str, object]]) -> str:
    return json.dumps([{"points": points}])


@pytest.mark.parametrize(
    "strokes",
    [
        '[{"points": [{"x": NaN, "y": 1}]}]',
        '[{"points": [{"x": Infinity, "y": 1}]}]',
        _strokes([{"x": 1e308 * 10, "y": 1}] * 20),
        _strokes([{"x": 10**400, "y": 1}] * 20),
        _strokes([{"x": "12", "y": 1}] * 20),
        _strokes([{"x": 1, "y": 1, "time": -5}] * 20),
        _strokes([{"x": 99999, "y": 1}] * 20),
        json.dumps([{"points": [{"x": 1, "y": 1}]}] * 201),
        _strokes([{"x": 1, "y": 1}] * 20_001),
        "[" * 5000 + "]" * 5000,
    ],
    ids=[
        "nan",
        "inf",
        "overflow",
        "huge-int",
        "string",
        "time",
        "far",
        "strokes",
        "points",
        "deep",
    ],
)
def test_signature_strokes_must_be_finite_bounded_numbers(strokes: str) -> None:
    image, _ = demo_signature()
    with pytest.raises(SignatureImplausible):
        check_signature(image, strokes[:400_000])


def test_json_bodies_refuse_nan_and_infinity() -> None:
    for body in (b'{"a": NaN}', b"[Infinity]", b"-Infinity"):
        with pytest.raises(ValidationFailed):
            parse_json(body)


@pytest.mark.django_db
def test_a_json_body_that_is_not_utf8_is_a_400_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/account/passkeys/authentication/begin/", b"\x85\xff", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"] == "validation_failed"
