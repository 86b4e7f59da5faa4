"""Account administration: every change to who may do what goes through these audited
functions (the admin calls them). The rules, for an actor who is not a superuser:

* superuser status, staff status and individual permissions are a superuser's alone;
* roles come only from `CLINIC_ADMIN_ASSIGNABLE_ROLES` (clinician, admin staff);
* an account holding any other role (physician, clinic admin, patient), staff status or
  superuser status -- their own included -- is not theirs to change: no new roles, password,
  activation or profile edits, since each would hand them that account's powers.

Passwords, roles, activation, lockouts and sessions each write one audit entry; passwords and
codes never appear in it. A refusal is audited too (`account.change_refused`), outside the
write's transaction so that it survives the refusal (unless the caller's own transaction,
such as the admin's, rolls back).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F

from core import ratelimit
from core.audit import audit_record
from core.errors import AccessDenied
from core.models import User
from core.roles import CLINIC_ADMIN_ASSIGNABLE_ROLES, Role, user_roles

_ROLE_NAMES = {role.value for role in Role}


def _target(user: User) -> str:
    return f"user:{user.pk}"


def user_manageable_by(actor: User, user: User) -> bool:
    """May `actor` change `user`'s account (password, roles, activation, profile)?"""
    if actor.is_superuser:
        return True
    if user.is_superuser or user.is_staff or user.pk == actor.pk:
        return False
    held = set(user_roles(user)) if user.pk else set()
    return held <= set(CLINIC_ADMIN_ASSIGNABLE_ROLES)


def assignable_roles(actor: User) -> frozenset[Role]:
    return frozenset(Role) if actor.is_superuser else CLINIC_ADMIN_ASSIGNABLE_ROLES


def _require_manageable(actor: User, user: User, what: str) -> None:
    if not user_manageable_by(actor, user):
        audit_record(
            action="account.change_refused",
            actor=actor,
            target=_target(user),
            data={"what": what},
        )
        raise AccessDenied(
            f"You may not change {what} of this account: only a superuser may change accounts "
            "with staff, superuser, physician or clinic-admin rights, including your own."
        )


def user_role_set(*, actor: User, user: User, roles: Iterable[Role | str]) -> None:
    """Give `user` exactly these roles (Django groups). Groups that are not roles are kept
    unless the actor is a superuser (the superuser's form shows every group)."""
    wanted = {Role(r) for r in roles}
    before = set(user_roles(user))
    if wanted == before:
        return
    _require_manageable(actor, user, "the roles")
    changed = wanted ^ before
    if not changed <= assignable_roles(actor):
        refused = sorted(r.value for r in changed - assignable_roles(actor))
        audit_record(
            action="account.change_refused",
            actor=actor,
            target=_target(user),
            data={"what": "roles", "refused": refused},
        )
        raise AccessDenied(f"Only a superuser may give or remove these roles: {refused}.")
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in before - wanted]))
    user.groups.add(*Group.objects.filter(name__in=[r.value for r in wanted - before]))
    user.__dict__.pop("_pathway_roles", None)
    audit_record(
        action="account.roles_set",
        actor=actor,
        target=_target(user),
        data={"before": sorted(r.value for r in before), "after": sorted(r.value for r in wanted)},
    )


def user_password_reset(*, actor: User, user: User, password: str | None) -> None:
    """Set a new password (validated), or none (`None`: password sign-in disabled). Every
    session of the user ends (Django's session hash covers the password)."""
    _require_manageable(actor, user, "the password")
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit_record(action="account.password_reset", actor=actor, target=_target(user))
    ratelimit.lift(user.username)


@transaction.atomic
def user_active_set(*, actor: User, user: User, active: bool) -> None:
    if user.is_active == active:
        return
    _require_manageable(actor, user, "the activation")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        action="account.activated" if active else "account.deactivated",
        actor=actor,
        target=_target(user),
    )


def user_account_save(
    *, actor: User, user: User, created: bool, changed: dict[str, tuple[object, object]]
) -> None:
    """Save an account edited in the admin (profile fields; roles, password and activation have
    their own services). Refuses staff/superuser flags from anyone but a superuser."""
    escalating = {"is_staff", "is_superuser", "user_permissions"} & set(changed) or (
        created and (user.is_staff or user.is_superuser)
    )
    if escalating and not actor.is_superuser:
        raise AccessDenied("Only a superuser may give staff or superuser status or permissions.")
    if not created:
        _require_manageable(actor, user, "the details")
    user.save()
    audit_record(
        action="account.created" if created else "account.changed",
        actor=actor,
        target=_target(user),
        data={name: {"before": b, "after": a} for name, (b, a) in changed.items()},
    )


@transaction.atomic
def user_lockout_lift(*, actor: User, user: User) -> None:
    """End the sign-in/signing lockout of an account (the address limit is left alone)."""
    ratelimit.lift(user.username)
    audit_record(action="account.lockout_lifted", actor=actor, target=_target(user))


@transaction.atomic
def user_sessions_end_all(*, actor: User, user: User) -> None:
    """End every session of `user`, on every device ("sign out everywhere")."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    audit_record(action="auth.sessions_ended", actor=actor, target=_target(user))
