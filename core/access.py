"""The access layer's mechanism: one table of actions, the route decorator that names a page's
action, and the checks every app's `access_*` functions are built from.

Each app declares its actions (`<app>/actions.py`, or one module per planning sub-domain) and
registers them from its AppConfig.ready, like role permissions. An action names the permission
that lets its holder reach *any* record (`perm`), the one that lets a patient reach *their own*
(`own_perm`), and the audit entry a clinical read writes (`audit`). Views name their action with
`@access_action(...)`; the access-matrix tests read the same table from the URL resolver, so a
route without an action, or an action a role's grants contradict, fails the suite.

Everything here raises; nothing returns what the user may not see; refusals are audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext

from core.audit import audit_record
from core.models import User

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


@dataclass(frozen=True)
class Action:
    """One thing a person may do or see. `public` actions need no sign-in (the sign-in page, a
    token link whose token is the credential); `signed_in` ones any signed-in person (the page
    itself decides, e.g. where to start). Every other action needs `perm` or `own_perm`."""

    name: str
    description: str
    perm: str = ""  # holders reach any patient's records
    own_perm: str = ""  # holders reach their own patient records only
    audit: str = ""  # a clinical read: the audit action written once per access
    public: bool = False
    signed_in: bool = False

    def __post_init__(self) -> None:
        gated = bool(self.perm or self.own_perm)
        if gated == (self.public or self.signed_in) or (self.public and self.signed_in):
            raise ValueError(f"Action {self.name}: give a permission, or mark it public/signed_in")

    def allows_any(self, user: Any) -> bool:
        return bool(self.perm) and _holds(user, self.perm)

    def allows_own(self, user: Any) -> bool:
        return bool(self.own_perm) and _holds(user, self.own_perm)

    def allows(self, user: Any, *, owner_user_id: int | None) -> bool:
        """May this user take the action on a record of the patient whose login is given?"""
        if self.allows_any(user):
            return True
        return owner_user_id is not None and owner_user_id == user.pk and self.allows_own(user)


def _holds(user: Any, perm: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(perm))


_ACTIONS: dict[str, Action] = {}


def register_actions(app_label: str, actions: Iterable[Action]) -> None:
    """An app declares its actions, gated by its own permissions only (so the table follows the
    layers); a name declared twice differently is a configuration error."""
    for action in actions:
        foreign = [
            p for p in (action.perm, action.own_perm) if p and not p.startswith(f"{app_label}.")
        ]
        if foreign:
            raise ValueError(f"{app_label}: action {action.name!r} uses {foreign}, not its own")
        known = _ACTIONS.get(action.name)
        if known is not None and known != action:
            raise ValueError(f"{app_label}: action {action.name!r} is already declared")
        _ACTIONS[action.name] = action


def get_action(name: str) -> Action:
    try:
        return _ACTIONS[name]
    except KeyError:
        raise LookupError(f"No access action named {name!r}; declare it in its app") from None


def all_actions() -> dict[str, Action]:
    return dict(_ACTIONS)


def read_audit_actions() -> frozenset[str]:
    """The audit actions that record a read (a page view or a download), not a change."""
    return frozenset(action.audit for action in _ACTIONS.values() if action.audit)


def audit_denied(user: Any, *, what: str, case_id: int | None = None) -> None:
    actor = user if getattr(user, "is_authenticated", False) else None
    audit_record(
        action="access.denied",
        actor=actor,
        actor_label="" if actor else "anonymous",
        case_id=case_id,
        target=what[:200],
    )


def require_action(user: Any, action: str | Action, *, what: str = "") -> Action:
    """The role check: 403 (audited) unless the user may take this action on some record.
    Whether the particular record is theirs is the typed access function's job (404)."""
    act = action if isinstance(action, Action) else get_action(action)
    if act.public:
        return act
    if act.signed_in and getattr(user, "is_authenticated", False):
        return act
    if not (act.allows_any(user) or act.allows_own(user)):
        audit_denied(user, what=f"{act.name} {what}".strip())
        raise PermissionDenied(gettext("Your role does not allow this."))
    return act


def audit_access(
    user: Any,
    action: Action,
    *,
    case_id: int | None,
    patient_id: int | None,
    target: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Write the one audit entry of a clinical read (nothing for other actions)."""
    if action.audit:
        actor = user if getattr(user, "is_authenticated", False) else None
        audit_record(
            action=action.audit,
            actor=actor,
            case_id=case_id,
            patient_id=patient_id,
            target=target,
            data=data,
        )


ACTIONS_ATTR = "access_actions"
_REQUEST_ATTR = "access_action"


def access_action(name: str, *, post: str = "") -> Callable[[View], View]:
    """Name the action of a view (`post=` when a POST does something else than the page shows).
    Anonymous people are sent to sign in, and a role that may not take the action gets 403,
    before the view runs; the view then reaches its record with `current_action(request)`."""

    actions = {"GET": name, "HEAD": name, "POST": post or name}

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            act = get_action(actions.get(request.method or "GET", name))
            if not act.public and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_action(request.user, act, what=request.path)
            setattr(request, _REQUEST_ATTR, act)
            return view(request, *args, **kwargs)

        setattr(wrapper, ACTIONS_ATTR, actions)
        return cast(View, wrapper)

    return decorate


def current_action(request: HttpRequest) -> Action:
    """The action `@access_action` chose for this request."""
    act: Action | None = getattr(request, _REQUEST_ATTR, None)
    if act is None:
        raise RuntimeError(f"{request.path}: the view has no @access_action")
    return act


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed `@access_action`."""
    return cast(User, request.user)
