"""The authentication backend: Django's ModelBackend, except that the signed-in user of a
request is read together with their roles and permissions (and the clinic's idle minutes), in one
query.

ModelBackend reads a session's user, then (on the first permission check) the user's own
permissions and their groups' permissions, and core.roles reads the group names: four queries,
each compiled anew, on every signed-in page. Here `get_user` reads the user row with two JSON
arrays (correlated subqueries: the group names; every permission held directly or through a
group) in one statement compiled once per database vendor, and fills the per-object caches
ModelBackend and core.roles would otherwise fill. The same statement reads the clinic's idle
minutes for the idle log-off (core.middleware), so a signed-in page that shows nothing else of
ClinicSettings reads no settings row. Nothing is kept between requests, so nothing
can go stale: a group or a permission taken away applies to that user's very next request
(tests/core/test_auth_backend.py). A superuser (ModelBackend grants every permission) is left to
ModelBackend.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Aggregate, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Concat

from core.compiled import Compiled, compiled_once, params_with
from core.models import ClinicSettings, User
from core.roles import remember_group_names

_IDLE_MINUTES = "_pathway_idle_minutes"
_SENTINEL = -7_305_119  # the user id the statement is compiled with, replaced on each call


class JSONList(Aggregate):
    """A JSON array of the values of a group of rows (PostgreSQL json_agg, SQLite
    json_group_array). No rows: NULL on PostgreSQL, [] on SQLite (`_as_list` reads both)."""

    function = "JSON_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def _list_of(queryset: QuerySet[Any], value: Any) -> Subquery:
    """One JSON array of `value` over all the rows of `queryset` (no GROUP BY)."""
    rows = queryset.order_by().annotate(_one=Value(1)).values("_one")
    return Subquery(rows.annotate(_list=JSONList(value)).values("_list")[:1])


def users_with_grants() -> QuerySet[User]:
    """Users, each with `_group_names` and `_perms` ("app_label.codename"), as JSON arrays."""
    user = OuterRef("pk")
    own = User.user_permissions.through.objects.filter(user_id=OuterRef(user))
    via_groups = Group.permissions.through.objects.filter(
        group_id__in=User.groups.through.objects.filter(user_id=OuterRef(OuterRef(user))).values(
            "group_id"
        )
    )
    perms = Permission.objects.filter(
        Q(pk__in=own.values("permission_id")) | Q(pk__in=via_groups.values("permission_id"))
    )
    dotted = Concat(
        F("content_type__app_label"), Value("."), F("codename"), output_field=TextField()
    )
    # the row ClinicSettings.current() reads (pk 1); NULL until it exists
    idle = ClinicSettings.objects.filter(pk=1).values("idle_timeout_minutes")[:1]
    return User._default_manager.annotate(
        _group_names=_list_of(Group.objects.filter(user=user), F("name")),
        _perms=_list_of(perms, dotted),
        _idle_minutes=Subquery(idle),
    )


def _statement(alias: str) -> Compiled:
    """The SQL of `users_with_grants().filter(pk=...)`, compiled once per database vendor."""
    return compiled_once(
        "core.auth_backend",
        alias,
        lambda: users_with_grants().filter(pk=_SENTINEL).order_by(),
        _SENTINEL,
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    found = json.loads(value) if isinstance(value, str | bytes) else value
    return [str(item) for item in found if item is not None]


def user_with_grants(user_id: Any) -> User | None:
    """The user with this id, roles and permissions already read (None: no such user)."""
    compiled = _statement(DEFAULT_DB_ALIAS)
    params = params_with(compiled, User._meta.pk.to_python(user_id))
    found = list(User._default_manager.raw(compiled[0], params))
    if not found:
        return None
    user = found[0]
    remember_group_names(user, _as_list(user.__dict__.pop("_group_names", None)))
    perms = {*_as_list(user.__dict__.pop("_perms", None))}
    if not user.is_superuser:
        user._perm_cache = perms  # type: ignore[attr-defined]  # ModelBackend's own cache
    minutes = user.__dict__.pop("_idle_minutes", None)
    if minutes is not None:
        setattr(user, _IDLE_MINUTES, int(minutes))
    return user


def take_idle_minutes(user: Any) -> int | None:
    """The clinic's idle minutes read together with this request's user (None: not read so;
    ask ClinicSettings). Taken once: a user object kept beyond its request never answers."""
    minutes: int | None = getattr(user, _IDLE_MINUTES, None)
    if minutes is not None:
        delattr(user, _IDLE_MINUTES)
    return minutes


class GrantsBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = user_with_grants(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
