"""Shared pieces of the property-based input tests: hostile values (hypothesis strategies),
the database snapshot that proves a refused request wrote nothing, and the settings.

The hostile values are the ones that have crashed this kind of code before: text with NUL,
control characters, astral-plane characters and a few tens of kilobytes of it; numbers that
are NaN, infinite, beyond 64 bits or written in other scripts; dates in the years 1 and 9999,
impossible dates and date-times with an offset; JSON nested a thousand levels deep.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

#: Examples per form or endpoint for its first role, and for each other role: modest, so the
#: whole suite stays fast on two cores; raise PATHWAY_FUZZ_EXAMPLES locally (or nightly) to
#: search further, PATHWAY_FUZZ_RANDOM=1 for new examples (derandomized: every run the same).
EXAMPLES = int(os.environ.get("PATHWAY_FUZZ_EXAMPLES", "25"))
OTHER_ROLE_EXAMPLES = max(1, EXAMPLES // 3)

#: Only the forms or endpoints whose route name starts with this (to chase one failure).
ONLY = os.environ.get("PATHWAY_FUZZ_ONLY", "")

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("PATHWAY_FUZZ_RANDOM", "") == "",
    database=None,
    # No shrinking: a failure is reported with the example that found it, and a run that
    # finds one stays as fast as one that does not (set PATHWAY_FUZZ_SHRINK=1 to shrink).
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([Phase.shrink] if os.environ.get("PATHWAY_FUZZ_SHRINK") else []),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
    print_blob=True,
)

# ---------------------------------------------------------------------------- strategies

SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t",
    "\u202e\u200b\ufeff",
    "😀" * 3,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n{0}",
    "../../etc/passwd",
    "\U0010ffff",
]

_short_text = st.text(max_size=40)
_huge_text = st.tuples(
    st.sampled_from(["x", "é", "😀", "a\x00", "\n"]), st.integers(1, 30_000)
).map(lambda t: t[0] * t[1])
TEXT = st.one_of(_short_text, st.sampled_from(SPECIAL_TEXT), _huge_text)

SPECIAL_NUMBERS = [
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "0",
    "-0",
    "-1",
    "9" * 30,
    "9" * 5000,
    str(2**63),
    str(-(2**63) - 1),
    "0x1F",
    "1_000",
    "٣",  # Arabic-Indic three
    "²",
    "1,5",
    " 7 ",
]


def numbers(low: float | None = None, high: float | None = None) -> st.SearchStrategy[str]:
    """Numbers as a browser would send them: valid ones near the field's range, and junk."""
    in_range = (
        st.integers(int(low), int(high)).map(str)
        if low is not None and high is not None
        else st.integers(-1000, 1000).map(str)
    )
    return st.one_of(
        in_range,
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(SPECIAL_NUMBERS),
        _short_text,
    )


SPECIAL_DATES = [
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "2023-13-01",
    "10000-01-01",
    "99999-12-31",
    "31/12/9999",
    "01.01.0001",
    "0000-00-00",
    "-2024-01-01",
]
_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def dates() -> st.SearchStrategy[str]:
    near = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
    return st.one_of(
        _dates.map(date.isoformat),
        near.map(date.isoformat),
        _dates.map(lambda d: d.strftime("%d/%m/") + f"{d.year:04d}"),
        st.sampled_from(SPECIAL_DATES),
        _short_text,
    )


def datetimes() -> st.SearchStrategy[str]:
    moments = st.builds(datetime.combine, _dates, st.times())
    return st.one_of(
        moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M").rjust(16, "0")),
        moments.map(lambda d: f"{d.year:04d}" + d.isoformat()[4:] + "-14:00"),
        st.sampled_from([s + "T23:59" for s in SPECIAL_DATES] + ["9999-12-31T23:59:59+14:00"]),
        st.sampled_from(["0001-01-01T00:00-12:00", "2024-03-31T01:30", "2024-10-27T01:30"]),
        _short_text,
    )


def json_values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    """JSON-ish values, NaN and infinities included (as Python's json writes them)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        TEXT,
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(_short_text, children, max_size=5)
        ),
        max_leaves=max_leaves,
    )


def strokes() -> st.SearchStrategy[str]:
    """signature_pad's stroke data gone wrong: NaN, infinities, huge, strings, too many."""
    coordinate = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.sampled_from([10**400, "12", None, True, [], {}]),
    )
    point = st.dictionaries(st.sampled_from(["x", "y", "time", "pressure"]), coordinate)
    stroke = st.one_of(
        st.fixed_dictionaries({"points": st.lists(point, max_size=30)}),
        st.integers(1, 30_000).map(lambda n: {"points": [{"x": 1, "y": 1}] * n}),
        json_values(5),
    )
    many = st.integers(1, 3000).map(lambda n: [{"points": [{"x": 1, "y": 2}]}] * n)
    return st.one_of(st.lists(stroke, max_size=5), many).map(dumps)


def dumps(value: Any) -> str:
    try:
        return json.dumps(value)
    except (ValueError, OverflowError):
        return json.dumps(str(value))


def json_bodies() -> st.SearchStrategy[bytes]:
    """Raw request bodies: JSON (NaN included), deeply nested JSON, and not JSON at all."""
    return st.one_of(
        json_values().map(lambda v: json.dumps(v).encode()),
        st.integers(33, 3000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(33, 3000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        st.binary(max_size=200),
        st.sampled_from([b"", b"{", b'{"a": NaN}', b"[Infinity]", b"\xff\xfe", b"null"]),
    )


# ---------------------------------------------------------------------------- snapshots

#: Tables a refused request may still write, each for a reason the refusal itself needs:
#: the session (signed-in state, the patient link's progress), the audit trail (checked
#: separately: only refusal entries), the link's failed date-of-birth count and lock, and the
#: second-factor throttle. Anything else changing on a refusal is a partial write.
REFUSAL_BOOKKEEPING = {
    "django_session",
    "core_auditentry",
    "core_patientlink",
    "otp_totp_totpdevice",
    "otp_static_staticdevice",
}
#: Audit entries a refusal may write: the refusal itself (access denied, a wrong password or
#: code, a refused signature or step), a link's failed date of birth and lock, and the
#: audited reads the page made anyway (a clinical view, a PDF checked on the verify page).
REFUSAL_AUDIT = re.compile(r"refused|failed|denied|blocked|\.link\.locked$|\.view$|\.verify$")


def _tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every model's table but the bookkeeping ones."""
    found = []
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in REFUSAL_BOOKKEEPING and not model._meta.proxy:
            found.append((table, model._meta.pk.column))
    return sorted(set(found))


def snapshot() -> dict[str, str]:
    """A digest of every table's rows (but the bookkeeping ones), by table name: raw SQL,
    as it runs twice per example."""
    digests = {}
    with connection.cursor() as cursor:
        for table, pk in _tables():
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT * FROM {quoted(table)} ORDER BY {quoted(pk)}")  # noqa: S608
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in after if before.get(t) != after[t])


def audit_actions_since(head: int) -> list[str]:
    from core.models import AuditEntry

    return list(AuditEntry.objects.filter(pk__gt=head).values_list("action", flat=True))


def audit_head() -> int:
    """The newest audit entry's id (not `seq`: an entry gets its sequence number later)."""
    from core.models import AuditEntry

    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def unexpected_audit(actions: list[str]) -> list[str]:
    return [a for a in actions if not REFUSAL_AUDIT.search(a)]


def describe(target: object, exc: BaseException) -> str:
    """One failure: where, what, the last frames of where it was raised, and the example
    (cut short: some values are tens of kilobytes)."""
    import traceback

    errors = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    parts = []
    for error in errors:
        frames = "".join(traceback.format_tb(error.__traceback__)[-3:])
        notes = "\n".join(getattr(error, "__notes__", []))[:1500]
        parts.append(f"{type(error).__name__}: {str(error)[:600]}\n{frames}{notes}")
    return f"{target}:\n" + "\n".join(parts)


def run_each(runs: dict[str, Callable[[], None]]) -> None:
    """Run every target's search (those ONLY selects), then fail once listing every failure:
    one broken form does not hide the others."""
    failures = []
    for target, run in runs.items():
        if not target.startswith(ONLY):
            continue
        try:
            run()
        except Exception as exc:
            failures.append(describe(target, exc))
    assert not failures, "\n\n".join(failures)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction that is always rolled back: every example starts from
    the same database."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
