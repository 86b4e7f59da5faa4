"""A queryset's SQL compiled once per database vendor, for a statement a request runs every time
(the session read, the signed-in user's grants): compiling it costs several times what running
it does. The queryset is built with a marker value in the one place that changes per call; the
marker's position among the parameters is found, never assumed, and the caller puts its value
there (`params_with`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

Compiled = tuple[str, list[Any], int]  # SQL, parameters, the marker's position among them

_compiled: dict[tuple[str, str], Compiled] = {}


def compiled_once(
    name: str, alias: str, build: Callable[[], QuerySet[Any]], marker: Any
) -> Compiled:
    """`build()`'s SQL and parameters on `alias`, compiled on the first call for `name` and the
    database's vendor; `marker` must be among the parameters exactly once."""
    key = (name, connections[alias].vendor)
    compiled = _compiled.get(key)
    if compiled is None:
        sql, params = build().query.get_compiler(alias).as_sql()
        positions = [i for i, param in enumerate(params) if param == marker]
        if len(positions) != 1:
            raise RuntimeError(f"{name}: the marker's place in the statement is unclear")
        compiled = _compiled[key] = (sql, list(params), positions[0])
    return compiled


def params_with(compiled: Compiled, value: Any) -> list[Any]:
    """The compiled parameters with `value` in the marker's place."""
    params = [*compiled[1]]
    params[compiled[2]] = value
    return params
