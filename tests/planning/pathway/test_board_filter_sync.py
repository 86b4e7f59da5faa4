"""QA pass on the case board: the filter form follows the state/page links (htmx), a bad page
number is page 1, an invalid filter says what is wrong, record numbers stay on one line."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from planning.pathway.states import CaseState
from tests.factories import CaseFactory, PatientFactory

pytestmark = pytest.mark.django_db
S = CaseState
BOARD = "pathway:case_board"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _selected_state(html: str) -> str | None:
    select = re.search(r'<select name="state".*?</select>', html, re.S)
    assert select is not None
    chosen = re.search(r'<option value="([^"]*)" selected', select.group(0))
    return chosen.group(1) if chosen else None


def test_a_state_link_through_htmx_brings_the_form_along(admin_staff) -> None:
    CaseFactory(state=S.MEDICATION_REVIEW)
    response = _client(admin_staff).get(
        reverse(BOARD),
        {"state": "medication_review"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_BOOSTED="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    form = re.search(r'<form id="board-form" hx-swap-oob="true".*?</form>', html, re.S)
    assert form is not None, "the filter form is swapped out of band"
    assert _selected_state(form.group(0)) == "medication_review"
    # the form keeps its own htmx attributes once swapped in
    assert 'hx-target="#board-results"' in form.group(0)


def test_the_form_itself_is_not_sent_back_while_typing(admin_staff) -> None:
    html = (
        _client(admin_staff)
        .get(reverse(BOARD), {"state": "evaluation", "q": "ro"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'testid="board-form"' not in html and "hx-swap-oob" not in html


def test_without_javascript_the_form_shows_the_state_of_the_link(admin_staff) -> None:
    html = _client(admin_staff).get(reverse(BOARD), {"state": "medication_review"}).content.decode()
    assert html.count('<form id="board-form"') == 1 and "hx-swap-oob" not in html
    assert _selected_state(html) == "medication_review"


@pytest.mark.parametrize("page", ["abc", "-1", "0", "", "1.5", "99999999999"])
def test_a_bad_page_number_is_page_one(admin_staff, page: str) -> None:
    case = CaseFactory(state=S.EVALUATION)
    response = _client(admin_staff).get(reverse(BOARD), {"page": page})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-case="{case.pk}"' in html and "<span>Page 1</span>" in html


def test_an_invalid_filter_says_what_is_wrong(admin_staff) -> None:
    response = _client(admin_staff).get(reverse(BOARD), {"state": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 400
    message = re.search(r'data-testid="board-invalid".*?</div>', html, re.S)
    assert message is not None
    assert "State: Select a valid choice. nonsense is not one of the available choices." in (
        message.group(0)
    )


def test_record_numbers_do_not_break_at_the_hyphen(admin_staff) -> None:
    CaseFactory(state=S.EVALUATION, patient=PatientFactory(mrn="DEMO-0001"))
    html = _client(admin_staff).get(reverse(BOARD)).content.decode()
    assert '<td class="nowrap" data-testid="mrn">DEMO-0001</td>' in html


def test_the_stylesheet_keeps_record_numbers_and_header_items_on_one_line() -> None:
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert re.search(r"\.nowrap\s*\{\s*white-space:\s*nowrap", css)
    rule = re.search(r"([^{}]*header\.top button[^{}]*)\{([^}]*white-space:\s*nowrap[^}]*)\}", css)
    assert rule is not None, "the header's items do not wrap inside themselves"
    assert "header.top .inner > a" in rule.group(1)
