"""Finish: a favicon and a skip link on every page; one date format and money with its
currency (core.dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core import dates

pytestmark = pytest.mark.django_db


def test_every_page_has_a_favicon_and_a_skip_link(admin_staff) -> None:
    client = Client()
    client.force_login(admin_staff)
    html = client.get(reverse("pathway:case_board")).content.decode()
    assert 'rel="icon" href="/static/core/favicon.svg"' in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    assert (Path(settings.BASE_DIR) / "static/core/favicon.svg").read_text().startswith("<svg")


def test_clinic_formats(settings) -> None:
    settings.TIME_ZONE = "Europe/London"
    settings.CLINIC_CURRENCY = "GBP"
    assert dates.day(date(2026, 12, 3)) == "3 Dec 2026"
    assert dates.moment(datetime(2026, 7, 3, 13, 5, tzinfo=UTC)) == "3 Jul 2026, 14:05"
    assert dates.stamp(datetime(2026, 7, 3, 13, 5, 9, tzinfo=UTC)) == "3 Jul 2026, 14:05:09"
    assert dates.money(4500050) == "£45,000.50"
    settings.CLINIC_CURRENCY = "CHF"
    assert dates.money(45000) == "450.00 CHF"
    settings.CLINIC_DATE_FORMAT = "m/d/Y"
    assert dates.day(date(2026, 12, 3)) == "12/03/2026"
