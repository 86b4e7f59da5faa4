"""The OpenAPI document: every operation lists the errors it can answer, each with the one
error body (`Error`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every refusal: a stable code and a message for a person.",
    "properties": {
        "error": {"type": "string", "example": "transition_refused"},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Invalid input: field name to message.",
        },
        "missing": {
            "type": "array",
            "items": {"type": "string"},
            "description": "What the step's guards still need.",
        },
    },
    "required": ["error", "message"],
}

DESCRIPTIONS = {
    "400": "Invalid input (`validation_failed`, with `fields`).",
    "401": "No valid token or session.",
    "403": "The role may not do this.",
    "404": "No such record, or not one this user may see.",
    "406": "The requested media type cannot be produced.",
    "409": "Not possible now: the step is refused, or the case changed meanwhile.",
    "415": "The body must be JSON.",
}


def _errors_for(method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "403", "404", "406"]
    if operation.get("parameters") or "requestBody" in operation:
        codes.append("400")
    if method == "post":
        codes += ["409", "415"]
    return codes


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code in _errors_for(method, operation):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` from `python manage.py issue_api_token`.",
        }
