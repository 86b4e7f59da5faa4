"""Access helpers every view goes through. They raise; they never return what the user may not
see. Refusals are written to the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from core.audit import audit_record
from core.models import User
from core.roles import is_staff_member

View = TypeVar("View", bound=Callable[..., HttpResponse])


def audit_denied(user: Any, *, what: str, case_id: int | None = None) -> None:
    actor = user if getattr(user, "is_authenticated", False) else None
    audit_record(
        action="access.denied",
        actor=actor,
        actor_label="" if actor else "anonymous",
        case_id=case_id,
        target=what[:200],
    )


def require_staff(user: Any, *, what: str) -> None:
    """Raise PermissionDenied unless the user holds a staff role."""
    if not is_staff_member(user):
        audit_denied(user, what=what)
        raise PermissionDenied("This page is for clinic staff.")


def require_perm(user: Any, perm: str, *, what: str) -> None:
    if not user.has_perm(perm):
        audit_denied(user, what=what)
        raise PermissionDenied("Your role does not allow this.")


def staff_required(view: View) -> View:
    """Signed-in staff only: anonymous users go to sign-in, others get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_staff(request.user, what=request.path)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed `login_required`/`staff_required`."""
    return cast(User, request.user)
