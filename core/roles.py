"""The roles people hold, as Django groups. Permissions per role live in `ROLE_PERMISSIONS`.

Groups are created by a data migration and re-synchronised after every migrate/flush (the
post_migrate signal), so tests that flush the database still find them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser


class Role(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    PHYSICIAN = "physician"
    ADMIN_STAFF = "admin_staff"
    CLINIC_ADMIN = "clinic_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.PATIENT: "Patient",
    Role.CLINICIAN: "Clinician (nurse)",
    Role.PHYSICIAN: "Physician",
    Role.ADMIN_STAFF: "Admin staff",
    Role.CLINIC_ADMIN: "Clinic admin",
}

STAFF_ROLES = frozenset({Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN})
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.PHYSICIAN})

# "app_label.codename" of every permission each role holds. The planning permissions are
# declared on `planning.Case.Meta.permissions`.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PATIENT: ("planning.withdraw_own_case", "planning.record_own_consent"),
    Role.CLINICIAN: (
        "planning.view_clinical",
        "planning.record_intake",
        "planning.view_case_board",
        "planning.open_case",
        "planning.advance_intake",
        "planning.record_consent",
        "planning.withdraw_case",
        "planning.hold_case",
        "planning.complete_treatment",
    ),
    Role.PHYSICIAN: (
        "planning.view_clinical",
        "planning.record_intake",
        "planning.override_contraindication",
        "planning.view_case_board",
        "planning.open_case",
        "planning.advance_intake",
        "planning.record_consent",
        "planning.withdraw_case",
        "planning.hold_case",
        "planning.complete_treatment",
        "planning.approve_plan",
        "planning.amend_plan",
        "planning.mark_ineligible",
        "planning.require_reconsent",
    ),
    Role.ADMIN_STAFF: (
        "planning.view_case_board",
        "planning.open_case",
        "planning.withdraw_case",
        "planning.hold_case",
    ),
    Role.CLINIC_ADMIN: (
        "planning.view_case_board",
        "planning.open_case",
        "planning.withdraw_case",
        "planning.hold_case",
        "planning.require_reconsent",
        "core.view_patient",
        "core.add_patient",
        "core.change_patient",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_auditentry",
        "core.view_clinicsettings",
        "core.change_clinicsettings",
        "planning.view_case",
        "consent.view_consentdocument",
        "consent.add_consentdocument",
        "consent.change_consentdocument",
        "consent.view_consentversion",
        "consent.add_consentversion",
        "consent.change_consentversion",
        "consent.delete_consentversion",
        "consent.view_comprehensionquestion",
        "consent.add_comprehensionquestion",
        "consent.change_comprehensionquestion",
        "consent.delete_comprehensionquestion",
        "consent.view_consentrequest",
        "consent.view_consentsignature",
        "planning.view_questionnairedefinition",
        "planning.add_questionnairedefinition",
        "planning.change_questionnairedefinition",
        "planning.view_contraindicationtype",
        "planning.add_contraindicationtype",
        "planning.change_contraindicationtype",
        "planning.view_interactionclass",
        "planning.add_interactionclass",
        "planning.change_interactionclass",
        "planning.view_interactionrule",
        "planning.add_interactionrule",
        "planning.change_interactionrule",
        "planning.view_clinicprotocol",
        "planning.change_clinicprotocol",
    ),
}


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user, read once per request object and cached on it."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_pathway_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._pathway_roles = cached
    return cached


def has_role(user: Any, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def is_staff_member(user: Any) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)


def sync_role_groups(apps: Any) -> None:
    """Create each role's group and give it exactly the permissions in ROLE_PERMISSIONS."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


#: Roles a clinic admin (not a superuser) may give or take away in the admin. Physician (signs
#: dosing plans) and clinic admin (manages accounts) are granted by a superuser only, after the
#: clinic has checked the person's credentials; patient logins come from the patient record.
CLINIC_ADMIN_ASSIGNABLE_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN_STAFF})
