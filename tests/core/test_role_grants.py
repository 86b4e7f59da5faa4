"""Role grants are declared by the app that owns each permission and checked: a misspelt
permission is an error, never silently dropped."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from core import roles
from core.roles import Role, register_role_permissions, role_permissions, sync_role_groups

pytestmark = pytest.mark.django_db


def test_every_role_group_holds_exactly_its_registered_permissions() -> None:
    for role, perms in role_permissions().items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms), role


def test_a_misspelt_permission_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(roles._GRANTS, "planning", {Role.CLINICIAN: ("planning.recrod_intake",)})
    with pytest.raises(LookupError, match="recrod_intake"):
        sync_role_groups(apps)


def test_an_app_may_grant_only_its_own_permissions() -> None:
    with pytest.raises(ValueError, match="own permissions"):
        register_role_permissions("consent", {Role.PATIENT: ("planning.withdraw_own_case",)})
