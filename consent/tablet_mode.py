"""Tablet mode: while a browser session holds a clinic-tablet signing session, the patient
holding the tablet reaches the signing pages of that one request and nothing else.

For every request of such a session the middleware
- checks the session's binding against the tablet session and its starting staff member
  (`consent.tablet.tablet_for_session`); a stale key is dropped;
- hides the staff member's sign-in (`request.user` is anonymous for the pages, the header and
  every check downstream; `request.consent_tablet_staff` keeps the staff member for the
  exit page only);
- answers from `consent.urls_tablet` only: the hand-over, the signing pages (the same views as
  the phone's), the hand-back and the staff's exit. Any other address is refused (403,
  audited), and so is another tablet session's;
- sends the signing pages to the hand-back screen once the session is no longer active
  (signed, declined, expired, locked or replaced).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, set_urlconf
from django.utils import translation

from consent.models import TabletSession
from consent.tablet import TabletState, tablet_for_session, tablet_refused, tablet_state
from core.middleware import release_idle_hold

SESSION_KEY = "consent_tablet"
URLCONF = "consent.urls_tablet"

#: The pages a patient uses while the session is active; afterwards they lead to the hand-back.
SIGNING_PAGES = frozenset(
    {
        "consent_link",
        "consent_disclosure",
        "consent_read",
        "consent_questions",
        "consent_review",
        "consent_sign",
        "consent_decline",
    }
)


def handle(tablet: TabletSession) -> str:
    """The tablet session's part of its pages' addresses (not a credential: the session is)."""
    return str(tablet.pk)


Handler = Callable[[HttpRequest], HttpResponse]


class TabletModeMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        held = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if not isinstance(held, dict):
            return self.get_response(request)
        tablet = tablet_for_session(
            tablet_id=held.get("id"), binding=held.get("binding"), user=request.user
        )
        if tablet is None:
            request.session.pop(SESSION_KEY, None)  # signed out or another person: no tablet
            release_idle_hold(request.session)
            return self.get_response(request)
        return self._in_tablet_mode(request, tablet)

    def _in_tablet_mode(self, request: HttpRequest, tablet: TabletSession) -> HttpResponse:
        request.consent_tablet_staff = request.user  # type: ignore[attr-defined]
        request.consent_tablet = tablet  # type: ignore[attr-defined]
        request.user = AnonymousUser()
        request.urlconf = URLCONF
        set_urlconf(URLCONF)  # for this request's redirects and pages (reset by the handler)
        try:
            match = resolve(request.path_info, urlconf=URLCONF)
        except Resolver404:
            return refuse(request, tablet)
        if match.kwargs.get("token", handle(tablet)) != handle(tablet):
            return refuse(request, tablet)
        if match.url_name in SIGNING_PAGES and tablet_state(tablet) is not TabletState.ACTIVE:
            return redirect("consent_done", token=handle(tablet))
        request.consent_tablet_request = tablet.request  # type: ignore[attr-defined]
        return self.get_response(request)


def refuse(request: HttpRequest, tablet: TabletSession) -> HttpResponse:
    tablet_refused(tablet=tablet, path=request.path)
    patient = tablet.request.patient
    with translation.override(patient.preferred_language):
        return render(
            request,
            "consent/tablet/refused.html",
            {"token": handle(tablet), "first_name": patient.given_name},
            status=403,
        )
