"""Inserting many rows in one statement that stays small.

Django's `bulk_create` sends one placeholder per value: 1,000 messages of 24 columns are a
24,000-parameter statement that psycopg and PostgreSQL both spend most of a batch parsing
(measured: more than half of a 1,000-reminder sweep). On PostgreSQL `bulk_insert` sends one
array per column instead, `INSERT ... SELECT * FROM unnest(...) WITH ORDINALITY ORDER BY
ordinality RETURNING id`, so the statement has as many parameters as the table has columns and
the ids come back in the order given. Elsewhere it is `bulk_create`.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals

M = TypeVar("M", bound=models.Model)

# Columns whose Python value psycopg sends as it is: no per-value conversion by the field
# (which costs a third of a 1,000-row insert when done for every value).
_PLAIN = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "ForeignKey",
        "OneToOneField",
    }
)


def _column(field: models.Field[Any, Any], objs: list[M]) -> list[Any]:
    name = field.attname
    kind = field.get_internal_type()
    if kind in _PLAIN:  # (a choices enum would be sent by its name)
        values = [getattr(obj, name) for obj in objs]
        return [value.value if isinstance(value, Enum) else value for value in values]
    if kind == "DateTimeField":  # an aware datetime is sent as it is (what the field does here)
        prep = field.get_db_prep_save
        return [
            value
            if value is None or (type(value) is datetime and value.tzinfo is not None)
            else prep(value, connection)
            for value in (getattr(obj, name) for obj in objs)
        ]
    return [field.get_db_prep_save(getattr(obj, name), connection) for obj in objs]


def bulk_insert(objs: list[M]) -> list[M]:
    """Insert unsaved `objs` (all of one model) and set their primary keys; returns them."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) == 1:
        return model._default_manager.bulk_create(objs)
    for obj in objs:  # as Model.save would: field defaults are already on the instances
        obj._state.adding = False
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    arrays = [_column(f, objs) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    unnest = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    names = ", ".join(f"c{i}" for i in range(len(fields)))
    pk = model._meta.pk
    assert pk is not None
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {names} FROM unnest({unnest}) WITH ORDINALITY AS v({names}, n) ORDER BY n "
        f"RETURNING {quote(str(pk.column))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
    return objs


# ---- one row: a precompiled INSERT ... RETURNING id -----------------------------------------
# Model.save compiles the same statement for every row (half the cost of an audited action,
# measured). `insert_one` writes the same columns with the same values (a plain column's str,
# int or None as it is, as its field would prepare it; any other value through the field, as the
# ORM does: tests/core/test_audit_fast_insert.py compares the rows), compiled once per model and
# database vendor.

_AS_IS = frozenset({str, int, type(None)})
_Compiled = tuple[str, list[tuple[str, bool, Any]]]
_compiled: dict[tuple[str, str], _Compiled] = {}


def _compile(model: type[models.Model], conn: BaseDatabaseWrapper) -> _Compiled:
    key = (conn.vendor, model._meta.label)
    compiled = _compiled.get(key)
    if compiled is None:
        opts = model._meta
        fields = [f for f in opts.concrete_fields if not f.primary_key]
        quote = conn.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        pk = opts.pk
        assert pk is not None
        sql = (
            f"INSERT INTO {quote(opts.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(str(pk.column))}"
        )
        preps = [(f.attname, f.get_internal_type() in _PLAIN, f.get_db_prep_save) for f in fields]
        compiled = _compiled[key] = (sql, preps)
    return compiled


def insert_one(obj: models.Model) -> bool:
    """Insert the unsaved `obj` and set its id; False (nothing written) where Model.save is
    needed instead: a database without INSERT ... RETURNING, or save signals listening for the
    model (Model.save sends them, this does not)."""
    model = type(obj)
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.features.can_return_columns_from_insert or (
        signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)
    ):
        return False
    sql, preps = _compile(model, conn)
    values = obj.__dict__
    params = [
        value if plain and type(value) in _AS_IS else prep(value, conn)
        for name, plain, prep in preps
        for value in (values[name],)
    ]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    pk = model._meta.pk
    assert pk is not None and row is not None
    setattr(obj, pk.attname, row[0])
    obj._state.adding = False
    obj._state.db = conn.alias
    return True
