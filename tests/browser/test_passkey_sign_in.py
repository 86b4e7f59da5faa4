"""A clinician adds a passkey on the Security page and uses it as the second step of sign-in
(Chromium's virtual authenticator stands in for a phone or security key)."""

from __future__ import annotations

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from core.models import AuditEntry
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.support.twofactor import give_totp


@pytest.fixture
def virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


@pytest.mark.django_db(transaction=True)
def test_clinician_registers_a_passkey_and_signs_in_with_it(
    page, virtual_authenticator, clinician, live_server, settings
) -> None:
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    give_totp(clinician)
    page.goto("/accounts/login/")
    # Sign in with password + recovery code (the app's code is not at hand in the browser).
    from core.twofactor import recovery_codes_regenerate

    code = recovery_codes_regenerate(user=clinician)[0]
    page.get_by_label("Username").fill(clinician.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app (or a recovery code)").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.goto("/account/security/")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_selector("#passkey-register-status-message:not(:empty)")
    assert WebAuthnCredential.objects.filter(user=clinician, confirmed=True).exists()
    assert AuditEntry.objects.filter(action="auth.passkey_registered", actor=clinician).exists()
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, clinician.username, PASSWORD, second_step=False)
    assert "/accounts/login/code/" in page.url
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/cases/**")
    assert AuditEntry.objects.filter(action="auth.login", actor=clinician).count() == 2
