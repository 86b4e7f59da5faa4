"""In-clinic signing on a clinic tablet: the staff's start button, and tablet mode's own pages
(hand-over, hand-back, the staff's exit). The signing pages in between are the phone's
(`consent.views`), reached through `consent.urls_tablet` while the session is in tablet mode
(`consent.tablet_mode`). Each view: access check, form, one service call, response."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consent import access as consent_access
from consent.access import access_consent_case
from consent.models import TabletSession
from consent.tablet import TabletState, tablet_end, tablet_start, tablet_state
from consent.tablet_mode import SESSION_KEY, handle
from consent.views import in_patient_language
from core import i18n
from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.middleware import hold_idle_log_off, release_idle_hold
from core.models import User


class TabletExitForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )


def _enter(session: SessionBase, tablet: TabletSession, binding: str) -> None:
    """This browser session is the tablet now: no language or verified link of anyone before."""
    session.pop(i18n.SESSION_KEY, None)
    session.pop(consent_access.SESSION_KEY, None)
    session[SESSION_KEY] = {"id": tablet.pk, "binding": binding}
    # A patient may read for longer than the clinic's idle minutes: the staff sign-in is hidden
    # and leaving needs the password, so the idle log-off waits until the session expires.
    hold_idle_log_off(session, tablet.expires_at, holder=SESSION_KEY)


def _leave(session: SessionBase) -> None:
    for key in (SESSION_KEY, consent_access.SESSION_KEY, i18n.SESSION_KEY):
        session.pop(key, None)
    release_idle_hold(session)


@access_action("consent.tablet_start")
@require_POST
def start(request: HttpRequest, case_id: int) -> HttpResponse:
    """ "Sign on a clinic tablet": this device becomes the tablet (nothing is sent anywhere)."""
    access_consent_case(request.user, case_id, action=current_action(request))
    try:
        tablet, binding = tablet_start(case_id=case_id, actor=request_user(request))
    except DomainError as exc:
        fields = exc.details.get("fields")
        extra = " ".join(str(v) for v in fields.values()) if isinstance(fields, dict) else ""
        messages.error(request, f"Tablet mode was not started: {exc.message} {extra}".strip())
        return redirect("pathway:case_detail", case_id=case_id)
    _enter(request.session, tablet, binding)
    return redirect("consent_tablet_handover", token=handle(tablet))


def _tablet(request: HttpRequest) -> TabletSession:
    """The tablet session of a request in tablet mode; 404 outside it."""
    tablet: TabletSession | None = getattr(request, "consent_tablet", None)
    if tablet is None:
        raise Http404("This page is only shown on a clinic tablet in tablet mode.")
    return tablet


@access_action("consent.tablet")
@never_cache
@require_GET
def current(request: HttpRequest) -> HttpResponse:
    """The start page in tablet mode: where the tablet is now."""
    tablet = _tablet(request)
    if tablet_state(tablet) is TabletState.ACTIVE:
        return redirect("consent_tablet_handover", token=handle(tablet))
    return redirect("consent_done", token=handle(tablet))


@access_action("consent.tablet")
@never_cache
@require_GET
def handover(request: HttpRequest, token: str) -> HttpResponse:
    """ "Please hand the tablet to <first name>", in the patient's language."""
    tablet = _tablet(request)
    if tablet_state(tablet) is not TabletState.ACTIVE:
        return redirect("consent_done", token=token)
    req = tablet.request
    with in_patient_language(request, req, token):
        context = {"token": token, "first_name": req.patient.given_name, "tablet": tablet}
        return render(request, "consent/tablet/handover.html", context)


@access_action("consent.tablet")
@never_cache
@require_GET
def handback(request: HttpRequest, token: str) -> HttpResponse:
    """ "Please hand the tablet back": after signing or declining, or once the session ended."""
    tablet = _tablet(request)
    state = tablet_state(tablet)
    if state is TabletState.ACTIVE:
        return redirect("consent_tablet_handover", token=token)
    req = tablet.request
    with in_patient_language(request, req, token):
        context = {
            "token": token,
            "state": state.value,
            "first_name": req.patient.given_name,
            "staff_name": tablet.started_by.first_name or tablet.started_by.display_name,
        }
        return render(request, "consent/tablet/handback.html", context)


@access_action("consent.tablet")
@never_cache
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, token: str) -> HttpResponse:
    """The staff member who started tablet mode leaves it with their password."""
    tablet = _tablet(request)
    staff: User = request.consent_tablet_staff  # type: ignore[attr-defined]
    form = TabletExitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            tablet_end(
                tablet_id=tablet.pk,
                actor=staff,
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                form.add_error(name if name in form.fields else None, message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _leave(request.session)
            messages.success(request, "Tablet mode ended: this device is yours again.")
            case_url = reverse(
                "pathway:case_detail", urlconf=settings.ROOT_URLCONF, args=[tablet.case_id]
            )
            return redirect(case_url)
    context = {"form": form, "token": token, "staff_name": staff.display_name}
    status = 400 if form.errors else 200
    return render(request, "consent/tablet/exit.html", context, status=status)
