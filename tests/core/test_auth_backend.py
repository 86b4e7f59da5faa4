"""The signed-in user arrives with their roles and permissions in one query
(core.auth_backend), and nothing about them outlives the request: a group or a permission taken
away applies to that user's very next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.auth_backend import GrantsBackend
from core.models import User
from core.roles import Role, user_roles
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BOARD_PERM = ("planning", "view_case_board")


def _board_permission() -> Permission:
    app_label, codename = BOARD_PERM
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_user_arrives_with_roles_and_permissions_in_one_query(clinician) -> None:
    as_model_backend_reads_them = User.objects.get(pk=clinician.pk).get_all_permissions()
    with CaptureQueriesContext(connection) as queries:
        user = GrantsBackend().get_user(clinician.pk)
        assert user is not None
        assert user_roles(user) == frozenset({Role.CLINICIAN})
        assert user.has_perm("planning.view_case_board")
        assert not user.has_perm("core.change_clinicsettings")
        assert user.get_all_permissions() == as_model_backend_reads_them
    assert len(queries) == 1


def test_direct_permissions_count_and_a_user_without_groups_has_none() -> None:
    user = make_user(None)
    loaded = GrantsBackend().get_user(user.pk)
    assert loaded is not None and user_roles(loaded) == frozenset()
    assert loaded.get_all_permissions() == set()
    user.user_permissions.add(_board_permission())
    loaded = GrantsBackend().get_user(user.pk)
    assert loaded is not None and loaded.get_all_permissions() == {"planning.view_case_board"}
    assert loaded.get_user_permissions() == {"planning.view_case_board"}
    assert loaded.get_group_permissions() == set()


def test_a_superuser_still_holds_every_permission() -> None:
    boss = make_user(None, is_superuser=True)
    loaded = GrantsBackend().get_user(boss.pk)
    assert loaded is not None
    assert loaded.get_all_permissions() == {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_an_inactive_or_missing_user_is_nobody(clinician) -> None:
    User.objects.filter(pk=clinician.pk).update(is_active=False)
    assert GrantsBackend().get_user(clinician.pk) is None
    assert GrantsBackend().get_user(10**9) is None


def test_leaving_a_group_applies_to_the_next_request(clinician) -> None:
    client = _signed_in(clinician)
    assert client.get(reverse("pathway:case_board")).status_code == 200
    clinician.groups.remove(Group.objects.get(name=Role.CLINICIAN.value))
    assert client.get(reverse("pathway:case_board")).status_code == 403


def test_a_permission_taken_from_a_group_applies_to_the_next_request(clinician) -> None:
    client = _signed_in(clinician)
    assert client.get(reverse("pathway:case_board")).status_code == 200
    Group.objects.get(name=Role.CLINICIAN.value).permissions.remove(_board_permission())
    assert client.get(reverse("pathway:case_board")).status_code == 403


def test_a_permission_taken_away_by_a_queryset_delete_applies_too(clinician) -> None:
    """No signal is needed: nothing is cached between requests."""
    client = _signed_in(clinician)
    assert client.get(reverse("pathway:case_board")).status_code == 200
    through = Group.permissions.through
    through.objects.filter(
        group__name=Role.CLINICIAN.value, permission=_board_permission()
    ).delete()
    assert client.get(reverse("pathway:case_board")).status_code == 403


def test_a_role_given_applies_to_the_next_request(admin_staff) -> None:
    client = _signed_in(admin_staff)
    page = client.get(reverse("pathway:case_board")).content.decode()
    assert "Clinician (nurse)" not in page
    admin_staff.groups.add(Group.objects.get(name=Role.CLINICIAN.value))
    page = client.get(reverse("pathway:case_board")).content.decode()
    assert "Clinician (nurse)" in page


def test_a_deactivated_user_is_signed_out_at_the_next_request(clinician) -> None:
    client = _signed_in(clinician)
    assert client.get(reverse("pathway:case_board")).status_code == 200
    User.objects.filter(pk=clinician.pk).update(is_active=False)
    response = client.get(reverse("pathway:case_board"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_group_whose_name_looks_like_a_list_gives_no_role() -> None:
    """The names travel as a JSON array: no separator inside a name can forge a role."""
    user = make_user(None)
    user.groups.add(Group.objects.create(name='x", "clinic_admin'))
    user.groups.add(Group.objects.create(name="x,physician"))
    loaded = GrantsBackend().get_user(str(user.pk))  # the session keeps the id as text
    assert loaded is not None and user_roles(loaded) == frozenset()
