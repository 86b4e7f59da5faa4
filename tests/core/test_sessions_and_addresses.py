"""Client address behind trusted proxies, per-address limits far above per-account limits,
the clinic's idle timeout, and "sign out everywhere"."""

from __future__ import annotations

import ipaddress
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.middleware import LAST_SEEN_KEY, client_ip, hold_idle_log_off
from core.models import AuditEntry, ClinicSettings
from core.sessions import REFRESH_SECONDS, SessionStore
from tests.conftest import make_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    return settings


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings) -> None:
    settings.TRUSTED_PROXIES = []
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_the_right_most_untrusted_address_is_the_client(proxies) -> None:
    assert _ip("10.0.0.2", "198.51.100.1") == "198.51.100.1"
    assert _ip("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.1.1.1") == "198.51.100.1"
    assert _ip("10.0.0.2", "garbage, 198.51.100.1") == "198.51.100.1"
    assert _ip("10.0.0.2", "198.51.100.1, garbage") == "10.0.0.2"
    assert _ip("10.0.0.2", "10.9.9.9") == "10.9.9.9"
    assert _ip("10.0.0.2") == "10.0.0.2"


def test_a_client_not_behind_the_proxy_cannot_spoof_its_address(proxies) -> None:
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_one_address_failing_for_one_account_does_not_lock_the_clinic(proxies, clinician):
    """Behind the proxy, five wrong passwords lock that account, not everyone else."""
    other = make_user(None)
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    for _ in range(proxies.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": clinician.username, "password": "x"})
    refused = client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    assert "Too many failed" in refused.content.decode()
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = colleague.post(reverse("login"), {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302
    failed = AuditEntry.objects.filter(action="auth.login_failed").first()
    assert failed is not None and failed.ip == "198.51.100.1"


def test_the_address_limit_blocks_every_account_from_that_address(settings, clinician) -> None:
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 8
    client = Client(REMOTE_ADDR="192.0.2.50")
    for n in range(8):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "x"})
    response = client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    assert "Too many failed" in response.content.decode()
    elsewhere = Client(REMOTE_ADDR="192.0.2.51")
    ok = elsewhere.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    assert ok.status_code == 302


def test_the_default_address_limit_is_well_above_the_account_limit(settings) -> None:
    assert settings.LOGIN_FAILURE_ADDRESS_LIMIT >= 5 * settings.LOGIN_FAILURE_LIMIT


def _signed_in_with_idle_minutes(user, minutes: int) -> tuple[Client, datetime]:
    """A client signed in now, at a clinic whose idle log-off is `minutes`; and that moment."""
    row = ClinicSettings.current()
    row.idle_timeout_minutes = minutes
    row.save()
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client, start


def test_the_idle_timeout_comes_from_clinic_settings(clinician) -> None:
    client, start = _signed_in_with_idle_minutes(clinician, 5)
    with time_machine.travel(start, tick=False):
        assert client.get(reverse("pathway:case_board")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert client.get(reverse("pathway:case_board")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=9, seconds=30), tick=False):
        response = client.get(reverse("pathway:case_board"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert AuditEntry.objects.filter(action="auth.idle_timeout", actor=clinician).exists()
    assert "_auth_user_id" not in client.session


def test_a_shorter_idle_timeout_applies_to_the_next_request(clinician) -> None:
    """The settings row is read once per request, never kept between requests: lowering the
    idle minutes (even by a queryset update, which sends no signal) ends a session idle
    longer than the new limit at its very next request."""
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
        assert client.get(reverse("pathway:case_board")).status_code == 200
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(idle_timeout_minutes=2)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        response = client.get(reverse("pathway:case_board"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert AuditEntry.objects.filter(action="auth.idle_timeout", actor=clinician).exists()


def test_an_idle_api_session_ends_with_401_json(clinician) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get("/api/cases/1")
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"


def test_the_sign_in_page_states_the_clinics_idle_minutes() -> None:
    row = ClinicSettings.current()
    row.idle_timeout_minutes = 7
    row.save()
    assert b"after 7 minutes" in Client().get(reverse("login")).content


def test_sign_out_everywhere_ends_every_session(clinician) -> None:
    phone, desk = Client(), Client()
    for client in (phone, desk):
        client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
        assert client.get(reverse("pathway:case_board")).status_code == 200
    response = desk.post(reverse("sign_out_everywhere"))
    assert response.status_code == 302 and response.url == reverse("login")
    for client in (phone, desk):
        assert client.get(reverse("pathway:case_board")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.sessions_ended", actor=clinician).count() == 1
    again = Client()
    again.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    assert again.get(reverse("pathway:case_board")).status_code == 200


def _session_writes(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        and "django_session" in query["sql"]
    )


def _page(client: Client) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("security")).status_code == 200
    return queries


def test_a_request_within_a_minute_of_the_last_write_writes_no_session(clinician) -> None:
    """The session row is written when its data changes, or once its last write is a minute
    old (core.sessions; the idle stamp on the same beat), not on every request."""
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    with time_machine.travel(start + timedelta(seconds=REFRESH_SECONDS - 5), tick=False):
        assert _session_writes(_page(client)) == 0
    expiry = Session.objects.get().expire_date
    with time_machine.travel(start + timedelta(seconds=REFRESH_SECONDS + 1), tick=False):
        assert _session_writes(_page(client)) == 1
        assert client.session[LAST_SEEN_KEY] == int(time.time())
    assert Session.objects.get().expire_date > expiry
    with time_machine.travel(start + timedelta(seconds=REFRESH_SECONDS + 30), tick=False):
        assert _session_writes(_page(client)) == 0


def test_an_active_session_outlives_the_cookie_age(clinician, settings) -> None:
    """Requests under a minute apart write nothing, yet the row's expiry keeps moving: an
    active user is never signed out by SESSION_COOKIE_AGE or by the idle log-off."""
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    step = timedelta(seconds=REFRESH_SECONDS - 10)
    moment = start
    while moment - start < timedelta(seconds=settings.SESSION_COOKIE_AGE + 5 * 60):
        moment += step
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("security")).status_code == 200, moment - start


def test_an_idle_session_still_ends_after_the_idle_minutes(clinician) -> None:
    """The last-seen stamp lags by under a minute at most: a session ends at most that much
    early, never late, and never before the idle minutes less that minute."""
    client, start = _signed_in_with_idle_minutes(clinician, 5)
    last = start + timedelta(seconds=REFRESH_SECONDS - 1)  # too soon to move the stamp
    with time_machine.travel(last, tick=False):
        assert client.get(reverse("security")).status_code == 200
    with time_machine.travel(last + timedelta(minutes=4), tick=False):
        assert client.get(reverse("security")).status_code == 200  # 4 min idle: kept
    last += timedelta(minutes=4)
    with time_machine.travel(last + timedelta(minutes=5, seconds=1), tick=False):
        response = client.get(reverse("security"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert AuditEntry.objects.filter(action="auth.idle_timeout", actor=clinician).exists()


def test_an_anonymous_session_with_data_is_refreshed_too() -> None:
    """A patient's link session (no sign-in, no idle stamp) keeps its expiry moving while in
    use, as with SESSION_SAVE_EVERY_REQUEST."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        store = SessionStore()
        store["pathway_language"] = "es"
        store.save()
    key = store.session_key
    with time_machine.travel(start + timedelta(seconds=REFRESH_SECONDS - 1), tick=False):
        fresh = SessionStore(key)
        assert fresh["pathway_language"] == "es" and not fresh.modified
    with time_machine.travel(start + timedelta(seconds=REFRESH_SECONDS), tick=False):
        stale = SessionStore(key)
        assert stale["pathway_language"] == "es" and stale.modified


def test_the_idle_minutes_are_read_with_the_user_and_the_row_when_missing(clinician) -> None:
    """A page that shows nothing else of the settings reads no settings row; before the row
    exists the log-off still has its minutes (ClinicSettings.current creates the row)."""
    ClinicSettings.objects.all().delete()
    client = Client()
    client.force_login(clinician)
    assert client.get(reverse("security")).status_code == 200
    assert ClinicSettings.objects.filter(pk=1).exists()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("security")).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in reads if sql.startswith('SELECT "core_clinicsettings".')]


def test_an_expired_or_unknown_session_reads_as_empty() -> None:
    """core.sessions reads the row with Django's own (precompiled) statement: a row past its
    expiry, or a key never issued, is no session."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        store = SessionStore()
        store["pathway_language"] = "es"
        store.save()
    with time_machine.travel(start + timedelta(seconds=60 * 60 * 24), tick=False):
        late = SessionStore(store.session_key)
        assert late.load() == {} and late.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


@pytest.mark.parametrize(
    ("holder_present", "hold_minutes", "kept"),
    [(True, 30, True), (False, 30, False), (True, 8, False)],
    ids=["held", "holder-gone", "hold-over"],
)
def test_an_idle_hold_keeps_a_session_only_with_its_holder_and_until_its_end(
    clinician, holder_present: bool, hold_minutes: int, kept: bool
) -> None:
    """`hold_idle_log_off` (a clinic tablet) keeps an idle session only while the session still
    holds what asked for the hold, and only until the hold's end: it fails closed."""
    client, start = _signed_in_with_idle_minutes(clinician, 5)
    with time_machine.travel(start, tick=False):
        assert client.get(reverse("pathway:case_board")).status_code == 200
        session = client.session
        hold_idle_log_off(session, start + timedelta(minutes=hold_minutes), holder="test_holder")
        if holder_present:
            session["test_holder"] = "x"
        session.save()
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        response = client.get(reverse("pathway:case_board"))
    assert (response.status_code == 200) is kept
    assert AuditEntry.objects.filter(action="auth.idle_timeout").exists() is not kept
