"""What every benchmark shares: Django with DEBUG off, a throwaway database, repeated runs,
and rows for the one table `make bench` prints.

A benchmark module has `run(scale: Scale) -> list[Row]` and is listed in `bench.__main__`'s
BENCHMARKS. Each row is one measured thing with all its runs; a row names the row it is
compared with (`baseline`, measured in the same run) and the table shows the ratio of the
medians.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Scale:
    """`BENCH_SCALE=quick` (default: minutes) or `full` (the 1,000,000-row runs: longer);
    `BENCH_REPEATS` overrides the number of runs."""

    name: str
    repeats: int

    @property
    def full(self) -> bool:
        return self.name == "full"

    def pick(self, quick: int, full: int) -> int:
        return full if self.full else quick


def scale_from_env() -> Scale:
    name = os.environ.get("BENCH_SCALE", "quick")
    if name not in {"quick", "full"}:
        raise SystemExit("BENCH_SCALE is quick or full")
    default = 5 if name == "full" else 3
    return Scale(name, int(os.environ.get("BENCH_REPEATS", default)))


@dataclass
class Row:
    benchmark: str
    what: str
    unit: str  # "ms", "/s", "MiB" ...
    runs: list[float]
    baseline: str = ""  # the `what` of the row this one is compared with
    goal: str = ""
    higher_is_better: bool = False
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def timed(fn: Callable[..., object], *args: object) -> float:
    """Milliseconds one call takes."""
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def django_setup() -> None:
    """Django with DEBUG off (DEBUG keeps every query in memory and changes the timings)."""
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


@contextmanager
def scratch_database() -> Iterator[str]:
    """A created-and-dropped test database (`test_<name>` of DATABASE_URL); yields the vendor."""
    django_setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    # (Not setup_test_environment: it instruments every template render.)
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield connection.vendor
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def needs_postgres(benchmark: str, vendor: str) -> list[Row]:
    if vendor == "postgresql":
        return []
    return [Row(benchmark, "skipped: needs DATABASE_URL=postgres://...", "", [0.0])]


# ---- the table ---------------------------------------------------------------------------


def to_json(rows: list[Row]) -> str:
    return json.dumps([asdict(row) for row in rows])


def from_json(text: str) -> list[Row]:
    return [Row(**item) for item in json.loads(text)]


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(rows: list[Row]) -> str:
    """One markdown table. Ratio: this row's median over its baseline's median (for rates,
    the baseline's over this one's, so a ratio above 1 always means slower than baseline)."""
    by_name = {(row.benchmark, row.what): row for row in rows}
    lines = [
        "| benchmark | measurement | runs | min | median | max | unit | vs baseline | goal |",
        "|---|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for row in rows:
        ratio = ""
        base = by_name.get((row.benchmark, row.baseline))
        if base is not None and base.median and row.median:
            value = base.median / row.median if row.higher_is_better else row.median / base.median
            ratio = f"{value:.2f}x"
        what = row.what + (f" ({row.note})" if row.note else "")
        lines.append(
            f"| {row.benchmark} | {what} | {len(row.runs)} | {_fmt(min(row.runs))} | "
            f"{_fmt(row.median)} | {_fmt(max(row.runs))} | {row.unit} | {ratio} | {row.goal} |"
        )
    return "\n".join(lines)
