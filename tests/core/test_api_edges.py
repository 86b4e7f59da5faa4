"""The JSON API's edges answer in JSON: signed out 401, CSRF failure 403, deep nesting 400."""

from __future__ import annotations

import pytest
from django.test import Client

from core.errors import ValidationFailed
from core.jsonbody import json_depth, parse_json
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_an_anonymous_api_call_is_401_json() -> None:
    case = CaseFactory()
    for method, url in (
        ("get", f"/api/cases/{case.pk}"),
        ("post", f"/api/cases/{case.pk}/transitions"),
    ):
        response = getattr(Client(), method)(url)
        assert response.status_code == 401
        assert response.json()["error"] == "not_authenticated"


def test_a_csrf_failure_on_the_api_is_403_json(clinician) -> None:
    case = CaseFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    response = client.post(
        f"/api/cases/{case.pk}/transitions", data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"


def test_a_csrf_failure_on_a_page_is_the_403_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert b"did not come from this site" in response.content


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_a_deeply_nested_body_is_400_json(clinician, depth) -> None:
    case = CaseFactory()
    client = Client()
    client.force_login(clinician)
    body = "[" * depth + "]" * depth
    response = client.post(
        f"/api/cases/{case.pk}/transitions", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "validation_failed"


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, {"c": "\\"]"}]}') == 3
    assert json_depth(b"") == 0


def test_parse_json_refuses_too_deep_and_invalid_input() -> None:
    assert parse_json(b'{"transition": "hold"}') == {"transition": "hold"}
    with pytest.raises(ValidationFailed):
        parse_json(b"[" * 50 + b"]" * 50, max_depth=32)
    with pytest.raises(ValidationFailed):
        parse_json(b"{not json")
    with pytest.raises(ValidationFailed):
        parse_json(b"\xff\xfe")
