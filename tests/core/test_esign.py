"""Electronic-signature re-authentication (core.esign, 21 CFR 11.200)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from core import ratelimit
from core.errors import AccessDenied, AccountLocked, ValidationFailed
from core.esign import SIGNED_IN_SESSION_KEY, esignature_requirements, esignature_verify
from core.forms import ESignatureFormMixin, add_domain_error
from core.models import AuditEntry
from tests.factories import PASSWORD
from tests.support.esign import authenticator
from tests.support.twofactor import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def physician(physician):  # type: ignore[no-untyped-def]
    """A physician as they must be to sign: with a confirmed authenticator app."""
    authenticator(physician)
    return physician


def _request(user):
    request = RequestFactory().post("/sign", REMOTE_ADDR="192.0.2.10")
    request.user = user
    request.session = SessionStore()
    return request


def _verify(request, user, *, username=None, password=PASSWORD, otp_code=None, **kw):
    esignature_verify(
        request=request, user=user, username=username, password=password, otp_code=otp_code, **kw
    )


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_first_signing_needs_user_id_and_password(physician) -> None:
    request = _request(physician)
    assert esignature_requirements(request=request, user=physician).username is True
    with pytest.raises(ValidationFailed) as missing:
        _verify(request, physician, username=None)
    assert "user ID" in missing.value.fields["username"]
    _verify(request, physician, username=physician.username, meaning="approved", case_id=7)
    entry = _entries("esign.verified")[-1]
    assert entry.actor == physician and entry.case_id == 7
    assert entry.data["components"] == ["user_id", "password"]
    assert request.session[SIGNED_IN_SESSION_KEY] is True


def test_first_signing_refuses_someone_elses_user_id(physician, clinician) -> None:
    request = _request(physician)
    with pytest.raises(ValidationFailed) as exc:
        _verify(request, physician, username=clinician.username)
    assert set(exc.value.fields) == {"username"}
    assert _entries("esign.failed")[-1].data["reason"] == "wrong or missing username"
    assert not request.session.get(SIGNED_IN_SESSION_KEY)


def test_wrong_password_is_refused_and_audited_without_the_password(physician) -> None:
    request = _request(physician)
    with pytest.raises(ValidationFailed) as exc:
        _verify(request, physician, username=physician.username, password="hunter2-wrong")
    assert exc.value.fields == {"password": "The password is not correct. Nothing was signed."}
    failed = _entries("esign.failed")[-1]
    assert "hunter2-wrong" not in str(failed.data) and PASSWORD not in str(failed.data)


def test_later_signings_need_password_and_code_when_a_device_exists(physician, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own delay after a wrong code
    device = authenticator(physician)
    request = _request(physician)
    _verify(request, physician, username=physician.username)
    needs = esignature_requirements(request=request, user=physician)
    assert (needs.username, needs.otp_code) == (False, True)
    with pytest.raises(ValidationFailed) as missing:
        _verify(request, physician, username=None, otp_code=None)
    assert set(missing.value.fields) == {"otp_code"}
    with pytest.raises(ValidationFailed):
        _verify(request, physician, otp_code="000000" if totp_code(device) != "000000" else "1")
    code = totp_code(device)
    _verify(request, physician, otp_code=code)
    entry = _entries("esign.verified")[-1]
    assert entry.data["components"] == ["password", "otp"]
    assert code not in str(entry.data)


def test_a_code_cannot_be_replayed(physician, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = authenticator(physician)
    request = _request(physician)
    _verify(request, physician, username=physician.username)
    code = totp_code(device)
    _verify(request, physician, otp_code=code)
    with pytest.raises(ValidationFailed):
        _verify(request, physician, otp_code=code)


def test_later_signings_without_a_device_need_the_password_only(clinician) -> None:
    request = _request(clinician)
    _verify(request, clinician, username=clinician.username)
    _verify(request, clinician)
    assert _entries("esign.verified")[-1].data["components"] == ["password"]


def test_a_new_session_asks_for_the_user_id_again(physician) -> None:
    _verify(_request(physician), physician, username=physician.username)
    assert esignature_requirements(request=_request(physician), user=physician).username


def test_only_the_signed_in_user_can_sign_as_themselves(physician, clinician) -> None:
    with pytest.raises(AccessDenied):
        _verify(_request(clinician), physician, username=physician.username)


def test_exactly_the_limit_of_failed_signings_locks_the_account(physician, settings) -> None:
    settings.ESIGN_FAILURE_LIMIT = 10
    request = _request(physician)
    for attempt in range(1, 10):
        with pytest.raises(ValidationFailed):
            _verify(request, physician, username=physician.username, password=f"wrong{attempt}")
    assert not ratelimit.account_locked(physician.username)
    with pytest.raises(AccountLocked):  # the tenth failure locks
        _verify(request, physician, username=physician.username, password="wrong10")
    assert ratelimit.account_locked(physician.username)
    with pytest.raises(AccountLocked):  # now even the right password is refused
        _verify(request, physician, username=physician.username)
    assert len(_entries("esign.failed")) == 11
    assert _entries("esign.failed")[-1].data["reason"] == "account locked"


def test_nine_failures_then_success_resets_the_count(physician, settings) -> None:
    settings.ESIGN_FAILURE_LIMIT = 10
    request = _request(physician)
    for _ in range(9):
        with pytest.raises(ValidationFailed):
            _verify(request, physician, username=physician.username, password="wrong")
    _verify(request, physician, username=physician.username)
    for _ in range(9):
        with pytest.raises(ValidationFailed):
            _verify(request, physician, password="wrong")
    assert not ratelimit.account_locked(physician.username)


def test_a_signing_lockout_also_refuses_sign_in(physician, settings, client) -> None:
    settings.ESIGN_FAILURE_LIMIT = 3
    request = _request(physician)
    for _ in range(3):
        with pytest.raises(DomainErrorTypes):
            _verify(request, physician, username=physician.username, password="wrong")
    response = client.post(
        "/accounts/login/", {"username": physician.username, "password": PASSWORD}
    )
    assert response.status_code == 200 and "Too many failed" in response.content.decode()


DomainErrorTypes = (ValidationFailed, AccountLocked)


class _ApproveForm(ESignatureFormMixin):
    pass


def test_form_mixin_shows_the_user_id_only_at_the_first_signing(physician) -> None:
    request = _request(physician)
    first = _ApproveForm(esign_request=request)
    assert set(first.fields) == {"username", "password"}
    form = _ApproveForm(
        {"username": physician.username, "password": "wrong"}, esign_request=request
    )
    assert form.is_valid()
    with pytest.raises(ValidationFailed) as exc:
        form.esignature().verify(user=physician, meaning="approved as treating physician")
    add_domain_error(form, exc.value)
    assert "password" in form.errors
    form = _ApproveForm(
        {"username": physician.username, "password": PASSWORD}, esign_request=request
    )
    assert form.is_valid()
    form.esignature().verify(user=physician, meaning="approved")
    later = _ApproveForm(esign_request=request)
    assert set(later.fields) == {"password", "otp_code"}
    assert later.fields["otp_code"].required
