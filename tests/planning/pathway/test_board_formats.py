"""`ShortDates` formats as the template filter `date` does, in any language and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from planning.pathway.formats import ShortDates


@pytest.mark.parametrize("language", ["en-gb", "es"])
@pytest.mark.parametrize("zone", ["Europe/London", "America/Los_Angeles", "Asia/Kolkata"])
def test_short_dates_match_the_date_filter(language: str, zone: str) -> None:
    start = datetime(1999, 12, 31, 22, 5, 7, tzinfo=UTC)
    moments = [start + timedelta(days=37 * i, minutes=71 * i) for i in range(12)]
    with translation.override(language), timezone.override(zone):
        dates = ShortDates()
        for moment in moments:
            local = timezone.localtime(moment)
            assert dates.day(moment) == date_filter(local, "j M Y")
            assert dates.day_time(moment) == date_filter(local, "j M H:i")
            assert dates.day(moment.date()) == date_filter(moment.date(), "j M Y")
        assert dates.day(date(7, 3, 4)) == date_filter(date(7, 3, 4), "j M Y")
        assert dates.day(None) == "" and dates.day_time(None) == ""


@pytest.mark.parametrize("suffix", ["", "#followups"])
def test_url_patterns_match_reverse(suffix: str) -> None:
    from django.urls import reverse

    from planning.pathway.formats import UrlPattern

    case_url = UrlPattern("pathway:case_detail", suffix=suffix)
    session_url = UrlPattern("treatment:session_page", arity=2, suffix=suffix)
    assert case_url.template is not None and session_url.template is not None
    for a, b in ((1, 2), (987654323, 987654321), (10**12, 7)):
        assert case_url(a) == reverse("pathway:case_detail", args=[a]) + suffix
        assert session_url(a, b) == reverse("treatment:session_page", args=[a, b]) + suffix
