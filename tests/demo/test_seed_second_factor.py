"""The demo's physician signs in with the second factor the seed gave them (demo_code)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from demo.pathway import demo_code, seed_demo

pytestmark = pytest.mark.django_db


def test_demo_physician_signs_in_with_the_printed_code(capsys: pytest.CaptureFixture[str]) -> None:
    seed_demo()
    call_command("demo_code")
    code = capsys.readouterr().out.strip()
    assert code == demo_code() and len(code) == 6
    client = Client()
    first = client.post(
        reverse("login"), {"username": "dr.okafor", "password": "pathway-demo-2026"}
    )
    assert first.status_code == 302 and first.url == reverse("login_code")
    second = client.post(reverse("login_code"), {"otp_code": code})
    assert second.status_code == 302
    assert client.get(reverse("pathway:case_board")).status_code == 200
