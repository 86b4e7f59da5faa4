"""An ORM expression compiled to SQL once per process, its `now` parameters filled per query.

The board annotates every case with a dozen correlated subqueries (`waiting.FACTS`). Building
them and compiling them was most of the board's server time (bench/workspace.py), although
their SQL is the same on every request: only the moment `now` they are read at changes, and
that only as a parameter. `precompiled(...)` builds and compiles such an expression once, at
three unlikely moments, and keeps its SQL with a record of which parameters are `now` (as given,
or as the database adapter turns a datetime into a parameter): found by comparing the three
compilations, not assumed. The SQL must come out identical each time and every parameter that
differs must be one of those forms of `now`; otherwise the expression is not cached and is
built and compiled per query as before (correct, only slower).

What the expression reads besides `now` (the clinic's blood-pressure limits, say) must be in
the caller's `key`: the cache holds one entry per key.

The SQL names the outer table (`"planning_case"."id"` for an `OuterRef("pk")`), so a compiled
expression serves only a top-level query on that model. Used as a subquery of another query
(whose aliases Django renames), it raises instead of reading the wrong rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import NotSupportedError, connections, models
from django.db.models.expressions import Expression
from django.utils import timezone

# Three moments that differ in every field (year to microsecond, weekday, day of the year),
# and that no rule of the pathway compares with.
_MOMENTS = (
    datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC),
    datetime(1912, 11, 23, 17, 29, 41, 123457, tzinfo=UTC),
    datetime(1923, 7, 14, 22, 53, 58, 654321, tzinfo=UTC),
)
_ALIAS = "__precompiled"


class CompiledSQL(Expression):
    """SQL compiled from an expression in a query on `table`; `as_sql` returns it as compiled
    (unlike RawSQL, without added parentheses), so a query built with it has the SQL text the
    expression itself would have given."""

    def __init__(self, sql: str, params: list[Any], output_field: Any, table: str) -> None:
        super().__init__(output_field=output_field)
        self.sql, self.params, self.table = sql, params, table

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.sql}, {self.params})"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        return self.sql, self.params

    def get_group_by_cols(self) -> list[Any]:
        return [self]

    def relabeled_clone(self, change_map: Mapping[str, str]) -> CompiledSQL:
        if self.table in change_map:
            raise NotSupportedError(
                f"precompiled SQL names {self.table!r}: use it only in a top-level query"
            )
        return self


Prepare = Callable[[models.QuerySet[Any], datetime], models.QuerySet[Any]]
Param = tuple[str, Any]  # ("value", v) kept as is, or (form of now, None)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Param, ...]
    output_field: Any
    table: str


_cache: dict[Hashable, _Compiled | None] = {}
_lock = threading.Lock()


def _now_forms(using: str) -> dict[str, Callable[[datetime], Any]]:
    """The forms `now` may take as a parameter: itself, its day in the current time zone (the
    rules' "today"), and either as the database adapter passes it."""
    ops = connections[using].ops
    return {
        "now": lambda now: now,
        "db_now": ops.adapt_datetimefield_value,
        "today": timezone.localdate,
        "db_today": lambda now: ops.adapt_datefield_value(timezone.localdate(now)),
    }


def _compile(
    model: type[models.Model],
    build: Callable[[datetime], Any],
    now: datetime,
    using: str,
    prepare: Prepare | None,
    filtered: bool,
) -> tuple[str, list[Any], Any]:
    base = model._base_manager.using(using).all()
    if prepare is not None:
        base = prepare(base, now)
    query = base.annotate(**{_ALIAS: build(now)}).query
    expression = query.annotations[_ALIAS]
    if filtered:  # as a lookup resolves its left-hand side again (Lookup.process_lhs)
        expression = expression.resolve_expression(query)
    sql, params = query.get_compiler(using=using).compile(expression)
    return sql, list(params), expression.output_field


def _made_by(make: Callable[[datetime], Any], values: tuple[Any, ...]) -> bool:
    """Whether each compilation's parameter is `make(moment)` for its moment, and no other."""
    made = [make(moment) for moment in _MOMENTS]
    return all(m == v and type(m) is type(v) for m, v in zip(made, values, strict=True))


def _derive(
    model: type[models.Model],
    build: Callable[[datetime], Any],
    using: str,
    prepare: Prepare | None,
    filtered: bool,
) -> _Compiled | None:
    """The compiled SQL with its `now` parameters marked, or None when the three compilations
    disagree in any other way."""
    compiled = [_compile(model, build, moment, using, prepare, filtered) for moment in _MOMENTS]
    sql, first_params, output_field = compiled[0]
    if any(other[0] != sql or len(other[1]) != len(first_params) for other in compiled[1:]):
        return None
    forms = _now_forms(using)
    params: list[Param] = []
    for values in zip(*(c[1] for c in compiled), strict=True):
        if all(value == values[0] for value in values):
            params.append(("value", values[0]))
            continue
        form = next((name for name, make in forms.items() if _made_by(make, values)), None)
        if form is None:
            return None
        params.append((form, None))
    return _Compiled(sql, tuple(params), output_field, model._meta.db_table)


def precompiled(
    model: type[models.Model],
    key: Hashable,
    build: Callable[[datetime], Any],
    now: datetime,
    *,
    using: str = "default",
    prepare: Prepare | None = None,
    filtered: bool = False,
) -> Any:
    """`build(now)` for an annotation on `model`: its SQL compiled once per `key` (which must
    name everything `build` and `prepare` read but `now`), or `build(now)` itself when it
    cannot be. `prepare(queryset, now)` adds what `build`'s expression refers to by name (the
    facts a `CASE WHEN` reads); their SQL is compiled into the expression's, as the ORM does.
    `filtered`: the expression is to be filtered on (compiled as a lookup compiles it)."""
    cache_key = (using, model._meta.label, key, filtered)
    if cache_key not in _cache:
        derived = _derive(model, build, using, prepare, filtered)
        with _lock:
            _cache[cache_key] = derived
    compiled = _cache[cache_key]
    if compiled is None:
        return build(now)
    forms = _now_forms(using)
    params = [value if form == "value" else forms[form](now) for form, value in compiled.params]
    return CompiledSQL(compiled.sql, params, compiled.output_field, compiled.table)


def is_cached(
    model: type[models.Model], key: Hashable, *, using: str = "default", filtered: bool = False
) -> bool:
    """Whether `key`'s expression is served from compiled SQL (for tests)."""
    return _cache.get((using, model._meta.label, key, filtered)) is not None


def forget() -> None:
    """Drop every compiled expression (tests that re-register an expression)."""
    with _lock:
        _cache.clear()
