from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from api.services import api_token_issue
from planning.pathway.models import Case


@pytest.fixture
def journey_case(sealing: Any, tmp_path: Any) -> Case:
    """A fictional patient taken through intake, consent and an approved plan (both PDFs sealed)."""
    return run_journey(tmp_path)


def run_journey(tmp_path: Any) -> Case:
    """demo_journey (needs the `sealing` fixture's settings)."""
    out = io.StringIO()
    call_command("demo_journey", out=tmp_path / "pdfs", stdout=out)
    case_id = int(
        next(line for line in out.getvalue().splitlines() if line.startswith("case "))[5:]
    )
    return Case.objects.select_related("patient").get(pk=case_id)


def token_client(user: Any) -> APIClient:
    _, token = api_token_issue(user=user, name="test system", actor=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
