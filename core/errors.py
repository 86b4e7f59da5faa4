"""Domain errors. Each carries the HTTP status it maps to and a message a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        body.update(self.details)
        return body


class ValidationFailed(DomainError):
    """Input is wrong; `details["fields"]` maps field names to messages."""

    status = 400
    code = "validation_failed"

    def __init__(self, fields: dict[str, str], message: str = "") -> None:
        message = message or " ".join(fields.values()) or "Please correct the errors."
        super().__init__(message, details={"fields": fields})
        self.fields = fields


class AccessDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class TransitionRefused(DomainError):
    """The transition is not possible from the current state, or its guards are unmet."""

    status = 409
    code = "transition_refused"


class CaseChanged(DomainError):
    """Someone else changed the record first; the caller should reload and decide again."""

    status = 409
    code = "case_changed"


class AccountLocked(DomainError):
    """Too many failed sign-in or signing attempts; refused until the window ends or a clinic
    admin lifts the lockout."""

    status = 403
    code = "account_locked"
