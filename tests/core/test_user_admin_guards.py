"""Account administration: a clinic admin cannot escalate any account, their own included;
roles, passwords and activation go through audited services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from core.errors import AccessDenied
from core.models import AuditEntry, User
from core.roles import Role, user_roles
from core.services import user_role_set
from tests.conftest import make_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-long-passphrase-2026"


def _group(role: Role) -> int:
    return Group.objects.get(name=role.value).pk


def _escalating_post(user: User) -> dict[str, object]:
    """Every field of the superuser's change form, set to the most powerful value."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [_group(role) for role in Role],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:50]),
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "00:00:00",
    }


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _assert_not_escalated(user: User, roles_before: set[Role]) -> None:
    fresh = _fresh(user)
    assert not fresh.is_superuser
    assert fresh.is_staff == user.is_staff
    assert not fresh.user_permissions.exists()
    assert set(user_roles(fresh)) <= roles_before | {Role.CLINICIAN, Role.ADMIN_STAFF}
    assert Role.PHYSICIAN not in set(user_roles(fresh)) - roles_before
    assert Role.CLINIC_ADMIN not in set(user_roles(fresh)) - roles_before


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    client = Client()
    client.force_login(clinic_admin)
    return client


@pytest.mark.parametrize(
    "target", ["self", "clinician", "admin_staff", "physician", "patient_user"]
)
def test_clinic_admin_cannot_escalate_any_account_via_the_change_form(
    target, clinic_admin, admin_client, request
) -> None:
    user = clinic_admin if target == "self" else request.getfixturevalue(target)
    roles_before = set(user_roles(_fresh(user)))
    response = admin_client.post(f"/admin/core/user/{user.pk}/change/", _escalating_post(user))
    assert response.status_code in {200, 403}
    _assert_not_escalated(user, roles_before)
    # The same with only the roles a clinic admin may see, plus the forbidden flags.
    post = _escalating_post(user) | {"groups": [_group(Role.CLINICIAN)]}
    admin_client.post(f"/admin/core/user/{user.pk}/change/", post)
    _assert_not_escalated(user, roles_before)


def test_clinic_admin_cannot_escalate_via_the_add_form(admin_client) -> None:
    post = {
        "username": "newcomer",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [_group(Role.PHYSICIAN), _group(Role.CLINIC_ADMIN)],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:20]),
    }
    response = admin_client.post("/admin/core/user/add/", post)
    assert response.status_code == 302
    created = User.objects.get(username="newcomer")
    assert not created.is_staff and not created.is_superuser
    assert not created.groups.exists() and not created.user_permissions.exists()
    assert AuditEntry.objects.filter(action="account.created", target=f"user:{created.pk}")


def test_clinic_admin_cannot_change_a_superuser(admin_client) -> None:
    root = make_user(None, is_superuser=True, is_staff=True)
    post = _escalating_post(root) | {"is_active": ""}
    assert admin_client.post(f"/admin/core/user/{root.pk}/change/", post).status_code == 403
    response = admin_client.post(
        f"/admin/core/user/{root.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert _fresh(root).check_password(PASSWORD) and _fresh(root).is_active


def test_clinic_admin_cannot_reset_a_physicians_password(admin_client, physician) -> None:
    response = admin_client.post(
        f"/admin/core/user/{physician.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert _fresh(physician).check_password(PASSWORD)


def test_clinic_admin_role_changes_are_audited(admin_client, clinician, clinic_admin) -> None:
    post = _escalating_post(clinician) | {"groups": [_group(Role.ADMIN_STAFF)]}
    post = {k: v for k, v in post.items() if k not in {"is_staff", "is_superuser"}}
    response = admin_client.post(f"/admin/core/user/{clinician.pk}/change/", post)
    assert response.status_code == 302
    assert set(user_roles(_fresh(clinician))) == {Role.ADMIN_STAFF}
    entry = AuditEntry.objects.get(action="account.roles_set", target=f"user:{clinician.pk}")
    assert entry.actor == clinic_admin
    assert entry.data == {"before": ["clinician"], "after": ["admin_staff"]}


def test_password_reset_and_deactivation_are_audited(admin_client, clinician) -> None:
    response = admin_client.post(
        f"/admin/core/user/{clinician.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _fresh(clinician).check_password(NEW_PASSWORD)
    reset = AuditEntry.objects.get(action="account.password_reset")
    assert NEW_PASSWORD not in str(reset.data)
    post = _escalating_post(clinician) | {"groups": [_group(Role.CLINICIAN)], "is_active": ""}
    post = {k: v for k, v in post.items() if k not in {"is_staff", "is_superuser"}}
    admin_client.post(f"/admin/core/user/{clinician.pk}/change/", post)
    assert not _fresh(clinician).is_active
    assert AuditEntry.objects.filter(action="account.deactivated").count() == 1


def test_superuser_assigns_any_role_and_it_is_audited(physician) -> None:
    root = make_user(None, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    post = _escalating_post(physician) | {
        "groups": [_group(Role.PHYSICIAN), _group(Role.CLINIC_ADMIN)],
        "user_permissions": [],
        "is_superuser": "",
    }
    response = client.post(f"/admin/core/user/{physician.pk}/change/", post)
    assert response.status_code == 302, response.content
    assert set(user_roles(_fresh(physician))) == {Role.PHYSICIAN, Role.CLINIC_ADMIN}
    assert _fresh(physician).is_staff
    entry = AuditEntry.objects.get(action="account.roles_set")
    assert entry.data["after"] == ["clinic_admin", "physician"] and entry.actor == root
    assert AuditEntry.objects.filter(action="account.changed", target=f"user:{physician.pk}")


def test_role_service_refuses_escalation_directly(clinic_admin, clinician) -> None:
    for role in (Role.PHYSICIAN, Role.CLINIC_ADMIN, Role.PATIENT):
        with pytest.raises(AccessDenied):
            user_role_set(actor=clinic_admin, user=clinician, roles={Role.CLINICIAN, role})
    with pytest.raises(AccessDenied):
        user_role_set(actor=clinic_admin, user=clinic_admin, roles={Role.CLINICIAN})
    assert set(user_roles(_fresh(clinician))) == {Role.CLINICIAN}
    assert AuditEntry.objects.filter(action="account.change_refused").count() == 4


def test_clinic_admin_lifts_a_lockout_and_it_is_audited(admin_client, physician, settings):
    from core import ratelimit

    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": physician.username, "password": "x"})
    assert ratelimit.account_locked(physician.username)
    response = admin_client.post(
        "/admin/core/user/", {"action": "lift_lockout", "_selected_action": [physician.pk]}
    )
    assert response.status_code == 302
    assert not ratelimit.account_locked(physician.username)
    assert AuditEntry.objects.filter(
        action="account.lockout_lifted", target=f"user:{physician.pk}"
    ).exists()
