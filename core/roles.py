"""The roles people hold, as Django groups. Each app registers its roles' permissions here.

Groups are created by a data migration and re-synchronised after every migrate/flush (the
post_migrate signal), so tests that flush the database still find them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    PHYSICIAN = "physician"
    ADMIN_STAFF = "admin_staff"
    CLINIC_ADMIN = "clinic_admin"

    @property
    def label(self) -> str:
        """The role's name in the active language (a patient's header shows it)."""
        return str(ROLE_LABELS[self])


ROLE_LABELS: dict[Role, Promise] = {
    Role.PATIENT: _("Patient"),
    Role.CLINICIAN: _("Clinician (nurse)"),
    Role.PHYSICIAN: _("Physician"),
    Role.ADMIN_STAFF: _("Admin staff"),
    Role.CLINIC_ADMIN: _("Clinic admin"),
}

STAFF_ROLES = frozenset({Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN})
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.PHYSICIAN})

# Which permissions each role holds is declared by the app that owns them (core below, consent
# and planning in their own `permissions.py`), registered at start-up, and checked: a grant that
# names no real permission is a configuration error (system check `core.E001`), never dropped.

CORE_ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    # The outbox page: every staff role follows up messages that could not be delivered.
    Role.CLINICIAN: ("core.view_outboundmessage",),
    Role.PHYSICIAN: ("core.view_outboundmessage",),
    Role.ADMIN_STAFF: ("core.view_outboundmessage",),
    Role.CLINIC_ADMIN: (
        "core.view_outboundmessage",
        "core.view_patient",
        "core.add_patient",
        "core.change_patient",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_auditentry",
        "core.view_clinicsettings",
        "core.change_clinicsettings",
    ),
}

_GRANTS: dict[str, dict[Role, tuple[str, ...]]] = {"core": CORE_ROLE_PERMISSIONS}


def register_role_permissions(app_label: str, grants: dict[Role, tuple[str, ...]]) -> None:
    """An app declares what each role may do with its own permissions (`app_label.codename`)."""
    foreign = [p for perms in grants.values() for p in perms if not p.startswith(f"{app_label}.")]
    if foreign:
        raise ValueError(f"{app_label} may only grant its own permissions, not {foreign}")
    _GRANTS[app_label] = grants


def role_permissions() -> dict[Role, tuple[str, ...]]:
    """Every role's permissions from every registered app."""
    merged: dict[Role, list[str]] = {role: [] for role in Role}
    for grants in _GRANTS.values():
        for role, perms in grants.items():
            merged[role].extend(perms)
    return {role: tuple(perms) for role, perms in merged.items()}


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user, read once per request object and cached on it."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_pathway_roles", None)
    if cached is None:
        remember_group_names(user, user.groups.values_list("name", flat=True))
        cached = user._pathway_roles
    return cached


def remember_group_names(user: Any, names: Iterable[str]) -> None:
    """Give `user_roles` the user's group names (read with the user by core.auth_backend, so
    the request reads them no second time)."""
    held = set(names)
    user._pathway_roles = frozenset(role for role in Role if role.value in held)


def has_role(user: Any, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def is_staff_member(user: Any) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)


def sync_role_groups(apps: Any) -> None:
    """Create each role's group and give it exactly the permissions registered for it. Runs
    after the last app's post_migrate, when every permission exists; one that does not is an
    error (a misspelt grant must never be dropped silently)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in role_permissions().items():
        group, _ = group_model.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is None:
                raise LookupError(f"Role {role.value} is granted {dotted!r}, which does not exist.")
            wanted.append(found)
        group.permissions.set(wanted)


#: Roles a clinic admin (not a superuser) may give or take away in the admin. Physician (signs
#: dosing plans) and clinic admin (manages accounts) are granted by a superuser only, after the
#: clinic has checked the person's credentials; patient logins come from the patient record.
CLINIC_ADMIN_ASSIGNABLE_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN_STAFF})
