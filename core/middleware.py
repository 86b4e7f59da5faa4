"""Request-scoped context for the audit trail, domain errors turned into clear responses, and
the security middleware: client address behind proxies, idle log-off, the second-factor gate,
the JSON API's edges and the Permissions-Policy header."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core import logs, request_context
from core.errors import DomainError
from core.sessions import REFRESH_SECONDS

Handler = Callable[[HttpRequest], HttpResponse]

#: Session keys set by the sign-in flow (core.account_views).
LAST_SEEN_KEY = "pathway_last_seen"
IDLE_HOLD_KEY = "pathway_idle_hold_until"
MUST_ENROL_KEY = "pathway_must_enrol"


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy (TRUSTED_PROXIES);
    then the right-most X-Forwarded-For entry that is not a trusted proxy. Entries left of it
    were written by the client and are never believed."""
    remote = request.META.get("REMOTE_ADDR") or None
    current = _parse_ip(remote) if remote else None
    if current is None or not settings.TRUSTED_PROXIES or not _trusted(current):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            break  # garbage written by the client: the last trusted hop saw the client
        current = address
        if not _trusted(address):
            break
    return str(current)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def json_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


class RequestIdMiddleware:
    """Give each request an id: on the response, and on every log line the request writes.

    The id stays bound until `request_finished` (core.logs.clear), so Django's own line about
    a 4xx/5xx response, written after the middleware chain returns, carries it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = logs.request_id_from(request.headers.get(logs.HEADER))
        logs.bind(request_id)
        response = self.get_response(request)
        response[logs.HEADER] = request_id
        return response


class RequestContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = request_context.RequestContext(
            ip=client_ip(request), user_agent=request.headers.get("User-Agent", "")[:400]
        )
        token = request_context.bind(ctx)
        try:
            return self.get_response(request)
        finally:
            request_context.unbind(token)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """Answer a refused action with its reason (4xx), never a 500."""
        if isinstance(exc, DomainError):
            if wants_json(request):
                return JsonResponse(exc.as_dict(), status=exc.status)
            return render(request, "core/error.html", {"error": exc}, status=exc.status)
        if wants_json(request) and isinstance(exc, PermissionDenied | Http404):
            status = 403 if isinstance(exc, PermissionDenied) else 404
            code = "forbidden" if status == 403 else "not_found"
            message = str(exc) or ("Not allowed." if status == 403 else "Not found.")
            return json_error(code, message, status)
        return None


class PermissionsPolicyMiddleware:
    """Switch off browser features no page uses (camera, microphone, location, payment...)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def idle_timeout_seconds(user: object = None) -> int:
    """The clinic's idle minutes, read from the database on every request: with the signed-in
    user (core.auth_backend), else through the request's one ClinicSettings read, shared with
    the page. A change applies at once."""
    from core.auth_backend import take_idle_minutes
    from core.models import ClinicSettings

    minutes = take_idle_minutes(user) if user is not None else None
    if minutes is None:
        minutes = ClinicSettings.current().idle_timeout_minutes
    return int(minutes or 15) * 60


def hold_idle_log_off(session: SessionBase, until: datetime, *, holder: str) -> None:
    """Let this session sit idle until `until` without being signed out, for as long as the
    session also holds `holder` (the key of what asked for the hold): a clinic tablet in
    tablet mode, where a patient may read for longer than the clinic's idle minutes. Only the
    signing pages answer meanwhile and leaving needs the staff member's password, so the idle
    log-off protects nothing there; after `until`, or once `holder` is gone, it applies again."""
    session[IDLE_HOLD_KEY] = [int(until.timestamp()), holder]


def release_idle_hold(session: SessionBase) -> None:
    session.pop(IDLE_HOLD_KEY, None)


def _held(session: SessionBase, now: int) -> bool:
    hold = session.get(IDLE_HOLD_KEY)
    if not (isinstance(hold, list) and len(hold) == 2):
        return False
    until, holder = hold
    return isinstance(until, int) and now < until and isinstance(holder, str) and holder in session


class IdleTimeoutMiddleware:
    """Automatic log-off after the clinic's idle minutes (ClinicSettings.idle_timeout_minutes).
    SESSION_COOKIE_AGE stays as a hard ceiling in case this middleware is ever removed.

    The last-seen stamp is rewritten only once it is REFRESH_SECONDS old (so most requests
    write no session at all, core.sessions): it may lag the last request by up to a minute,
    which can end an idle session that much early, never late. A held session
    (`hold_idle_log_off`: a clinic tablet) is not ended before its hold runs out."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core.models import ClinicSettings

        # The rest of the request (views, context processors) reads the clinic's settings
        # row at most once; this check reads the idle minutes with the user.
        with ClinicSettings.request_scope():
            if request.user.is_authenticated:
                now = int(time.time())
                last = request.session.get(LAST_SEEN_KEY)
                limit = idle_timeout_seconds(request.user)  # every time, read with the user
                held = _held(request.session, now)
                if isinstance(last, int) and now - last > limit and not held:
                    return self._expire(request, idle_minutes=(now - last) // 60)
                if not isinstance(last, int) or now - last >= REFRESH_SECONDS:
                    request.session[LAST_SEEN_KEY] = now
            return self.get_response(request)

    def _expire(self, request: HttpRequest, *, idle_minutes: int) -> HttpResponse:
        from core.audit import audit_record

        audit_record(
            action="auth.idle_timeout",
            actor=request.user,  # type: ignore[arg-type]
            data={"idle_minutes": idle_minutes},
        )
        request.session.flush()
        request.user = AnonymousUser()
        if wants_json(request):
            return json_error("not_authenticated", "The session ended after inactivity.", 401)
        return redirect_to_login(request.get_full_path(), redirect_field_name=REDIRECT_FIELD_NAME)


class SecondFactorMiddleware:
    """A physician or clinic admin who signed in with a password but has no second factor yet
    may only enrol one (or sign out) until they have."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(MUST_ENROL_KEY):
            allowed = (reverse("security"), reverse("security_totp"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if wants_json(request):
                    return json_error(
                        "second_factor_required",
                        "Set up a second factor (authenticator app) first.",
                        403,
                    )
                return redirect("security_totp")
        return self.get_response(request)


class ApiGuardMiddleware:
    """A JSON body (any path: the API, FHIR and the passkey views parse JSON) nested deeper than
    JSON_MAX_DEPTH is a 400 JSON, not a 500. (An anonymous API call is answered 401 JSON by the
    API itself, which also accepts tokens.)"""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith(("/api/", "/fhir/"))
        # application/json, and FHIR's application/fhir+json
        is_json = (request.content_type or "").endswith(("/json", "+json"))
        if (api or is_json) and request.method in {"POST", "PUT", "PATCH"}:
            from core.jsonbody import json_depth

            if json_depth(request.body) > settings.JSON_MAX_DEPTH:
                return json_error(
                    "validation_failed",
                    f"The JSON body is nested more than {settings.JSON_MAX_DEPTH} levels.",
                    400,
                )
            try:  # JSON is UTF-8 (RFC 8259); the passkey views decode it unguarded
                request.body.decode("utf-8")
            except UnicodeDecodeError:
                return json_error("validation_failed", "The request body is not UTF-8.", 400)
        return self.get_response(request)
