"""The session page: each CADSS item shows its question, and each form's button says what it
saves (no row of identical "Save" buttons)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from planning.treatment.forms import CADSS_QUESTIONS
from tests.planning.treatment.helpers import active_case, next_session

pytestmark = pytest.mark.django_db


def _page(user, case, session) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("treatment:session_page", args=[case.pk, session.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_cadss_items_carry_their_question(physician) -> None:
    case = active_case(physician)
    html = _page(physician, case, next_session(case))
    labels = dict(re.findall(r'<label for="id_monitoring-(cadss_\d+)">([^<]+)</label>', html))
    assert set(labels) == set(CADSS_QUESTIONS)
    for item, question in CADSS_QUESTIONS.items():
        assert labels[item] == f"CADSS item {item.split('_')[1]}: {question}"


def test_each_button_names_what_it_saves(physician) -> None:
    case = active_case(physician)
    html = _page(physician, case, next_session(case))
    buttons = re.findall(
        r'<form method="post" class="card" id="(\w+)".*?<button type="submit">([^<]+)</button>',
        html,
        re.S,
    )
    names = [name for _, name in buttons]
    assert len(buttons) >= 5
    assert len(names) == len(set(names))
    assert "Save" not in names
    assert dict(buttons)["monitoring"] == "Save sedation and dissociation scores"
