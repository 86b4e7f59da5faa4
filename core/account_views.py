"""Sign-in with a second factor, the "Security" page (authenticator app, recovery codes) and
"sign out everywhere". Every sign-in, Django admin included, goes through these views: nothing
else in Pathway calls `django.contrib.auth.login`."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from core import ratelimit, twofactor
from core.access import request_user
from core.audit import audit_record
from core.forms import OneTimeCodeForm, PasswordConfirmForm, SignInForm, locked_message
from core.middleware import LAST_SEEN_KEY, MUST_ENROL_KEY
from core.models import User
from core.services import user_sessions_end_all

PENDING_KEY = "pathway_2fa_pending"


class SignInView(auth_views.LoginView):
    """Password first; then the one-time code for anyone with an authenticator app."""

    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user: User = form.get_user()
        if twofactor.has_any_second_factor(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("login_code")
        return complete_sign_in(self.request, user, device=None, next_url=self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = _idle_minutes()
        return context


def _idle_minutes() -> int:
    from core.middleware import idle_timeout_seconds

    return idle_timeout_seconds() // 60


def complete_sign_in(
    request: HttpRequest, user: User, *, device: Device | None, next_url: str
) -> HttpResponse:
    """Sign in (audited by the user_logged_in receiver). A user who must have a second factor
    and has none may only enrol one until they have."""
    auth_login(request, user, backend=getattr(user, "backend", None))
    ratelimit.reset(request, user.username)
    request.session[LAST_SEEN_KEY] = int(time.time())
    if device is not None:
        otp_login(request, device)
    elif twofactor.second_factor_required(user):
        request.session[MUST_ENROL_KEY] = True
        messages.info(request, "Your role needs a second factor. Set up an authenticator app.")
        return redirect("security_totp")
    return HttpResponseRedirect(next_url)


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > settings.SECOND_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else None


def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in. Wrong codes count toward the account's lockout."""
    found = _pending_user(request)
    if found is None:
        messages.info(request, "Please sign in again.")
        return redirect("login")
    user, pending = found
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.is_blocked(request, user.username):
            request.session.pop(PENDING_KEY, None)
            audit_record(action="auth.login_blocked", actor=user, data={"step": "otp"})
            form.add_error(None, locked_message())
        else:
            device = twofactor.verify_code(user, form.cleaned_data["otp_code"])
            if device is not None:
                request.session.pop(PENDING_KEY, None)
                user.backend = pending["backend"]
                return complete_sign_in(request, user, device=device, next_url=pending["next"])
            ratelimit.register_failure(request, user.username)
            audit_record(action="auth.otp_failed", actor=user, data={"step": "sign-in"})
            form.add_error("otp_code", "That code is not correct. Try the newest code.")
    context = {"form": form, "has_passkey": bool(twofactor.passkeys_of(user))}
    return render(request, "registration/login_code.html", context)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the same form, lockout and second factor."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if request.user.is_authenticated and not request.user.is_staff:
        message = "Your account does not use the Django admin."
        return render(request, "403.html", {"exception": message}, status=403)
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    has_app = twofactor.has_second_factor(user)
    return render(
        request,
        "core/security.html",
        {
            "has_app": has_app,
            "required": twofactor.second_factor_required(user),
            "must_enrol": bool(request.session.get(MUST_ENROL_KEY)),
            # shown only beside an app: without one, two queries fewer
            "recovery_left": twofactor.recovery_codes_left(user) if has_app else 0,
            "passkeys": twofactor.passkeys_of(user) if has_app else [],
            "password_form": PasswordConfirmForm(user=user),
        },
    )


@login_required
def security_totp(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan or type the secret, confirm with a code."""
    user = request_user(request)
    if twofactor.has_second_factor(user):
        return redirect("security")
    device = twofactor.totp_pending(user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = twofactor.totp_confirm(user=user, code=form.cleaned_data["otp_code"])
        if confirmed is not None:
            app, codes = confirmed
            otp_login(request, app)
            request.session.pop(MUST_ENROL_KEY, None)
            return render(request, "core/recovery_codes.html", {"codes": codes, "new_app": True})
        form.add_error("otp_code", "That code is not correct. Check the time on your phone.")
    return render(
        request,
        "core/security_totp.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_groups(device),
            "otpauth_uri": device.config_url,
        },
    )


@require_POST
@login_required
def security_recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PasswordConfirmForm(request.POST, user=user)
    if not twofactor.has_second_factor(user) or not form.is_valid():
        messages.error(request, "Re-enter your password to make new recovery codes.")
        return redirect("security")
    codes = twofactor.recovery_codes_regenerate(user=user)
    return render(request, "core/recovery_codes.html", {"codes": codes, "new_app": False})


@require_POST
@login_required
def security_remove(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator app and recovery codes (password re-entered). A user whose
    role needs a second factor must set up a new one before doing anything else."""
    user = request_user(request)
    form = PasswordConfirmForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, "Re-enter your password to remove the second factor.")
        return redirect("security")
    twofactor.second_factor_remove(user=user, actor=user)
    if twofactor.second_factor_required(user):
        request.session[MUST_ENROL_KEY] = True
        return redirect("security_totp")
    messages.success(request, "The authenticator app and recovery codes were removed.")
    return redirect("security")


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    user_sessions_end_all(actor=user, user=user)
    auth_logout(request)
    messages.success(request, "You were signed out on every device.")
    return redirect("login")
