"""Passkeys (django-otp-webauthn) as a second factor at sign-in, next to the authenticator app.

The library's authentication views work on `request.user`; at Pathway's second sign-in step
nobody is signed in yet (the password was right, the person is "pending"), so these
subclasses take the pending user from the session, finish the sign-in through
`core.account_views.complete_sign_in` (same lockout reset, audit and session setup as a
code), and count a failed ceremony toward the account lockout. Passwordless sign-in stays off
(OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False). Registration on the Security page uses the
library's own views (the person is signed in there) and is audited by a signal receiver.

A passkey does not replace the authenticator app where one is required: e-signatures ask for a
one-time code, which a passkey cannot type.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views

from core import ratelimit
from core.access import access_action
from core.audit import audit_record
from core.models import User


def _pending(request: HttpRequest) -> User | None:
    from core.account_views import _pending_user

    found = _pending_user(request)
    return found[0] if found is not None else None


class PendingUserMixin:
    request: HttpRequest

    def get_user(self) -> User | None:
        if self.request.user.is_authenticated:
            return self.request.user
        return _pending(self.request)


_BeginView: Any = webauthn_views.BeginCredentialAuthenticationView
_CompleteView: Any = webauthn_views.CompleteCredentialAuthenticationView


class BeginPasskeySignIn(PendingUserMixin, _BeginView):  # type: ignore[misc]
    pass


class CompletePasskeySignIn(PendingUserMixin, _CompleteView):  # type: ignore[misc]
    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        user = self.get_user()
        if user is None or ratelimit.is_blocked(self.request, user.username):
            return JsonResponse({"detail": "Please sign in again.", "code": "expired"}, status=403)
        try:
            response: JsonResponse = super().post(*args, **kwargs)
        except Exception:
            ratelimit.register_failure(self.request, user.username)
            audit_record(action="auth.otp_failed", actor=user, data={"step": "passkey"})
            raise
        return response

    def complete_auth(self, device: Any) -> None:
        from core.account_views import PENDING_KEY, complete_sign_in

        pending = self.request.session.get(PENDING_KEY) or {}
        user: User = device.user
        if self.request.user.is_authenticated:
            from django_otp import login as otp_login

            otp_login(self.request, device)
            return
        self.request.session.pop(PENDING_KEY, None)
        user.backend = pending.get("backend", settings.AUTHENTICATION_BACKENDS[0])
        complete_sign_in(self.request, user, device=device, next_url=pending.get("next", "/"))
        self._next = pending.get("next", "/")

    def get_success_url(self) -> str:
        url: str = getattr(self, "_next", None) or super().get_success_url()
        return url


app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registration/begin/",
        access_action("account.security")(webauthn_views.BeginCredentialRegistrationView.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        access_action("account.security")(
            webauthn_views.CompleteCredentialRegistrationView.as_view()
        ),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        access_action("account.sign_in")(BeginPasskeySignIn.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        access_action("account.sign_in")(CompletePasskeySignIn.as_view()),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        access_action("account.sign_in")(
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])
        ),
        name="js-i18n-catalog",
    ),
]
