"""The plan form does not trap the physician: the start date survives editing, an amendment
shows the previous dose without pre-filling it, frequencies follow the route, none chosen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planning.treatment.services import plans as plan_services
from tests.planning.treatment.helpers import active_case

pytestmark = pytest.mark.django_db


def _page(user, case) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.get(reverse("treatment:plan_page", args=[case.pk])).content.decode()


def _input(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, name
    return match.group(0)


def test_amendment_keeps_the_start_date_and_does_not_prefill_the_dose(physician, settings):
    settings.LANGUAGE_CODE = "en-gb"  # a locale whose dates read 28/11/2026
    case = active_case(physician)
    plan_services.plan_amend(case=case, actor=physician, reason="Review the dose")
    page = _page(physician, case)
    start = case.plans.get(version=1).start_date
    assert f'value="{start:%Y-%m-%d}"' in _input(page, "start_date")
    assert "value=" not in _input(page, "dose_value")
    assert 'data-testid="previous-dose"' in page and "0.500 mg/kg (36.25 mg)" in page


def test_frequencies_are_grouped_by_route_and_none_is_selected(physician) -> None:
    from tests.planning.treatment.helpers import CaseFactory, satisfy_intake

    case = CaseFactory(state="plan_pending")
    satisfy_intake(case, "complete_evaluation")
    page = _page(physician, case)
    select = re.search(r'<select name="frequency".*?</select>', page, re.S)
    assert select
    html = select.group(0)
    assert '<option value="" selected>Choose the frequency</option>' in html
    assert '<optgroup label="Intravenous infusion">' in html
    assert '<optgroup label="Intranasal esketamine">' in html
    assert html.count("selected") == 1
    assert "treatment/plan.js" in page


def _post_iv_plan(physician, *, start_in_days: int):  # type: ignore[no-untyped-def]
    """A new IV plan with an esketamine frequency, starting `start_in_days` from today."""
    from tests.planning.treatment.helpers import CaseFactory, satisfy_intake

    case = CaseFactory(state="plan_pending")
    satisfy_intake(case, "complete_evaluation")
    client = Client()
    client.force_login(physician)
    response = client.post(
        reverse("treatment:plan_page", args=[case.pk]),
        {
            "route": "iv",
            "dose_value": "0.5",
            "sessions": 6,
            "frequency": "twice weekly (weeks 1-4)",
            "start_date": (timezone.localdate() + timedelta(days=start_in_days)).isoformat(),
        },
    )
    return case, response


def test_a_frequency_of_another_route_is_refused_with_the_routes_list(physician) -> None:
    _, response = _post_iv_plan(physician, start_in_days=2)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose one of the protocol&#x27;s frequencies: twice weekly" in body


def test_a_start_date_in_the_past_says_which_day_is_the_earliest(physician) -> None:
    """Inside the schedule window but before today: the message names today, in the clinic's
    date format (before: "cannot be in the past" after a window that allowed a year back)."""
    from core.dates import day

    case, response = _post_iv_plan(physician, start_in_days=-9)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"the earliest is today, {day(timezone.localdate())}" in body
    assert not case.plans.exists()
