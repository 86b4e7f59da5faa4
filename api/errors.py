"""Every API error is `{"error": code, "message": ...}` (plus `fields` for invalid input), the
same body the pages' JSON answers have always had (core.errors.DomainError.as_dict)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError, ValidationFailed

# DRF's codes, renamed where the pages already used another word for the same thing.
CODES = {
    "permission_denied": "forbidden",
    "not_found": "not_found",
    "parse_error": "validation_failed",
    "invalid": "validation_failed",
}


def error_body(exc: Exception) -> tuple[dict[str, Any], int]:
    """The JSON body and status for any refusal (used by the API and the FHIR endpoints)."""
    if isinstance(exc, DomainError):
        return exc.as_dict(), exc.status
    if isinstance(exc, Http404):
        return {"error": "not_found", "message": str(exc) or "Not found."}, 404
    if isinstance(exc, PermissionDenied):
        return {"error": "forbidden", "message": str(exc) or "Not allowed."}, 403
    if isinstance(exc, exceptions.ParseError):
        return ValidationFailed({"body": "The request body is not valid JSON."}).as_dict(), 400
    if isinstance(exc, exceptions.ValidationError):
        return ValidationFailed(_flatten(exc.detail)).as_dict(), 400
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # The same answer as core.views.csrf_failure gives the rest of the site's JSON callers.
        message = "The form or request expired or did not come from this site. Reload and retry."
        return {"error": "csrf_failed", "message": message}, 403
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    return {"error": CODES.get(str(code), str(code)), "message": str(exc.detail)}, exc.status_code


def _flatten(detail: Any, name: str = "body") -> dict[str, str]:
    """DRF's nested error detail as {"field": "message"} (nested fields joined with dots)."""
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            child = (
                name
                if key == "non_field_errors"
                else (str(key) if name == "body" else f"{name}.{key}")
            )
            flat.update(_flatten(value, child))
        return flat
    if isinstance(detail, list) and any(isinstance(v, dict | list) for v in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{name}.{index}"))
        return flat
    if isinstance(detail, list):
        return {name: " ".join(str(v) for v in detail)}
    return {name: str(detail)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    handled = exception_handler(exc, context)  # DRF's: headers such as WWW-Authenticate
    if handled is None and not isinstance(exc, DomainError):
        return None  # a bug: let it be the 500 it is
    body, status = error_body(exc)
    response = Response(body, status=status)
    if handled is not None:
        for header in ("WWW-Authenticate", "Allow", "Retry-After"):
            if header in handled:
                response[header] = handled[header]
    return response


@csrf_exempt
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse({"error": "not_found", "message": "There is no such address."}, status=404)
