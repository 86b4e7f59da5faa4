"""Request-scoped context for the audit trail, and domain errors turned into clear responses."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core import logs, request_context
from core.errors import DomainError


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


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
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
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
            return JsonResponse({"error": code, "message": message}, status=status)
        return None
