"""Sign-in with a second factor; enrolment required for physicians and clinic admins."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEntry
from tests.factories import PASSWORD
from tests.support.twofactor import code_for_secret, give_totp, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _password(client: Client, user, password: str = PASSWORD, next_url: str = ""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_user_with_an_app_needs_the_code_after_the_password(clinician) -> None:
    device = give_totp(clinician)
    client = Client()
    response = _password(client, clinician)
    assert response.url == reverse("login_code") and not _signed_in(client)
    assert client.get(reverse("pathway:case_board")).status_code == 302  # still anonymous
    response = client.post(reverse("login_code"), {"otp_code": totp_code(device)})
    assert response.status_code == 302 and response.url == reverse("home")
    assert _signed_in(client)
    assert AuditEntry.objects.filter(action="auth.login", actor=clinician).count() == 1


def test_the_code_step_keeps_the_next_address(clinician) -> None:
    device = give_totp(clinician)
    client = Client()
    _password(client, clinician, next_url=reverse("pathway:case_board"))
    response = client.post(reverse("login_code"), {"otp_code": totp_code(device)})
    assert response.url == reverse("pathway:case_board")


def test_wrong_codes_count_toward_the_account_lockout(clinician) -> None:
    device = give_totp(clinician)
    client = Client()
    _password(client, clinician)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    for _ in range(django_settings.LOGIN_FAILURE_LIMIT):
        response = client.post(reverse("login_code"), {"otp_code": wrong})
        assert response.status_code == 200 and not _signed_in(client)
    assert AuditEntry.objects.filter(action="auth.otp_failed").count() == 5
    response = client.post(reverse("login_code"), {"otp_code": totp_code(device)})
    assert not _signed_in(client)
    # The right password and code are now refused until the window ends.
    response = _password(Client(), clinician)
    assert "Too many failed" in response.content.decode()


def test_code_step_without_a_password_first_starts_again() -> None:
    response = Client().post(reverse("login_code"), {"otp_code": "123456"})
    assert response.status_code == 302 and response.url == reverse("login")


def test_a_recovery_code_signs_in_once(clinician) -> None:
    give_totp(clinician)
    from core.twofactor import recovery_codes_regenerate

    code = recovery_codes_regenerate(user=clinician)[0]
    client = Client()
    _password(client, clinician)
    client.post(reverse("login_code"), {"otp_code": code})
    assert _signed_in(client)
    again = Client()
    _password(again, clinician)
    again.post(reverse("login_code"), {"otp_code": code})
    assert not _signed_in(again)
    assert StaticToken.objects.filter(token=code).count() == 0


@pytest.mark.parametrize("fixture", ["physician", "clinic_admin"])
def test_required_roles_must_enrol_before_anything_else(fixture, request) -> None:
    user = request.getfixturevalue(fixture)
    client = Client()
    response = _password(client, user)
    assert response.url == reverse("security_totp")
    for url in (reverse("pathway:case_board"), reverse("home"), "/admin/"):
        assert client.get(url).url == reverse("security_totp")
    api = client.get("/api/cases/1")
    assert api.status_code == 403 and api.json()["error"] == "second_factor_required"
    page = client.get(reverse("security_totp"))
    assert page.status_code == 200 and b"<svg" in page.content
    secret = page.context["secret"]
    response = client.post(reverse("security_totp"), {"otp_code": code_for_secret(secret)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditEntry.objects.filter(action="auth.2fa_enrolled", actor=user).exists()
    assert client.get(reverse("pathway:case_board")).status_code == 200


def test_a_wrong_enrolment_code_does_not_confirm(physician) -> None:
    client = Client()
    _password(client, physician)
    client.get(reverse("security_totp"))
    response = client.post(reverse("security_totp"), {"otp_code": "12"})
    assert response.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()


def test_second_factor_is_offered_not_forced_to_other_roles(clinician) -> None:
    client = Client()
    response = _password(client, clinician)
    assert response.url == reverse("home")
    assert client.get(reverse("pathway:case_board")).status_code == 200
    page = client.get(reverse("security"))
    assert b"Set up an authenticator app" in page.content


def test_removing_the_app_needs_the_password_and_forces_reenrolment(physician) -> None:
    give_totp(physician)
    client = Client()
    client.force_login(physician)
    client.post(reverse("security_remove"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=physician).exists()
    response = client.post(reverse("security_remove"), {"password": PASSWORD})
    assert response.url == reverse("security_totp")
    assert not TOTPDevice.objects.filter(user=physician, confirmed=True).exists()
    assert client.get(reverse("pathway:case_board")).url == reverse("security_totp")
    assert AuditEntry.objects.filter(action="auth.2fa_removed", actor=physician).exists()


def test_new_recovery_codes_replace_the_old_ones(clinician) -> None:
    give_totp(clinician)
    client = Client()
    client.force_login(clinician)
    first = client.post(reverse("security_recovery_codes"), {"password": PASSWORD})
    second = client.post(reverse("security_recovery_codes"), {"password": PASSWORD})
    old, new = first.context["codes"], second.context["codes"]
    assert set(old).isdisjoint(new)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_admin_sign_in_uses_the_same_form_lockout_and_second_factor(clinic_admin) -> None:
    client = Client()
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "next=%2Fadmin%2F" in response.url
    for _ in range(django_settings.LOGIN_FAILURE_LIMIT):
        _password(client, clinic_admin, "wrong")
    response = _password(client, clinic_admin)
    assert "Too many failed" in response.content.decode() and not _signed_in(client)


def test_admin_login_refuses_outside_next_addresses() -> None:
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert "evil" not in response.url


def test_failed_passkey_attempts_count_toward_the_lockout(clinician) -> None:
    from core import ratelimit

    give_totp(clinician)
    client = Client()
    _password(client, clinician)
    url = "/account/passkeys/authentication/complete/"
    for _ in range(django_settings.LOGIN_FAILURE_LIMIT):
        response = client.post(url, data="{}", content_type="application/json")
        assert response.status_code >= 400 and not _signed_in(client)
    assert ratelimit.account_locked(clinician.username)
    assert AuditEntry.objects.filter(action="auth.otp_failed", data__step="passkey").count() == 5


def test_passkeys_never_sign_in_without_the_password_first() -> None:
    response = Client().post(
        "/account/passkeys/authentication/begin/", data="{}", content_type="application/json"
    )
    assert response.status_code >= 400 and response.json()


def test_a_deeply_nested_json_body_anywhere_is_400_json() -> None:
    body = "[" * 10_000 + "]" * 10_000
    response = Client().post(
        "/account/passkeys/authentication/begin/", data=body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"] == "validation_failed"
