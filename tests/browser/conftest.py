"""The browser harness: the system Chromium driven by Playwright against Django's live server.

Every later capability's browser tests use the `page` fixture and `sign_in`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import CHROMIUM

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(
            f"needs browser: no Chromium at {CHROMIUM}"
        )  # the autouse marker check fails it in CI
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def _watch_csp(tab: Any) -> list[str]:
    """Collects the browser's Content-Security-Policy refusals (an inline style or script,
    an eval): the pages, and htmx as configured in base.html, must need none."""
    refused: list[str] = []
    tab.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


@pytest.fixture
def page(chromium: Any, live_server: Any, _service_markers: None) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    refused = _watch_csp(tab)
    yield tab
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def phone_page(chromium: Any, live_server: Any, _service_markers: None) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    refused = _watch_csp(tab)
    yield tab
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def sign_in(page: Any, username: str, password: str, *, second_step: bool = True) -> None:
    """Sign in; with `second_step`, also type the code of an authenticator app the account
    already has (else stop at the code page)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if second_step and "/accounts/login/code/" in page.url:
        # The account already has an authenticator app (e.g. given by tests.support.esign).
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.support.twofactor import totp_code

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.locator("#id_otp_code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    if "/account/security/app/" in page.url:
        # Physicians and clinic admins must set up an authenticator app first.
        from tests.support.twofactor import code_for_secret

        secret = page.get_by_test_id("totp-secret").inner_text()
        page.get_by_label("Code from the app").fill(code_for_secret(secret))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def assert_accessible(page: Any, label: str) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
    assert bad == [], f"{label}: {bad}"
