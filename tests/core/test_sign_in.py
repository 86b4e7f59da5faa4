"""Sign-in is audited and rate-limited; sessions expire when idle."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_successful_and_failed_sign_ins_are_audited(clinician) -> None:
    client = Client()
    assert _sign_in(client, clinician.username, "wrong").status_code == 200
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.data == {"username": clinician.username} and failed.ip == "127.0.0.1"
    response = _sign_in(client, clinician.username, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert AuditEntry.objects.filter(action="auth.login", actor=clinician).count() == 1
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="auth.logout", actor=clinician).count() == 1


def test_sign_in_is_refused_after_repeated_failures(clinician) -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in(client, clinician.username, "wrong")
    response = _sign_in(client, clinician.username, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.login_blocked").count() == 1


def test_one_failure_then_success_resets_the_count(clinician) -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _sign_in(client, clinician.username, "wrong")
    assert _sign_in(client, clinician.username, PASSWORD).status_code == 302


def test_sessions_expire_when_idle() -> None:
    """An active session's expiry is pushed forward by core.sessions (at least once a minute,
    tests/core/test_sessions_and_addresses.py), not by a write on every request."""
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_ENGINE == "core.sessions"


def test_home_sends_each_role_to_its_start_page(clinician, patient_user) -> None:
    staff = Client()
    staff.force_login(clinician)
    assert staff.get(reverse("home")).url == reverse("pathway:case_board")
    patient = Client()
    patient.force_login(patient_user)
    assert patient.get(reverse("home")).url == reverse("pathway:patient_home")
