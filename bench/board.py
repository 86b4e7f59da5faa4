"""The case board's cost with 10,000 cases against 100, in the same run: the ratio should stay
near 1 because the board runs a fixed number of bounded queries.

Runs against a throwaway database: SQLite by default, PostgreSQL when DATABASE_URL says so
(`test_<name>` is created and dropped). 100 against 10,000 quick, 100,000 full; the
workspace benchmark (bench/workspace.py) goes to 1,000,000.
"""

from __future__ import annotations

import time
from itertools import cycle

from bench.harness import Row, Scale, scratch_database


def run(scale: Scale) -> list[Row]:
    small, large = 100, scale.pick(10_000, 100_000)
    repeats = max(scale.repeats * 5, 15)  # one page view is short: more runs per row
    with scratch_database():
        small_runs = _measure(small, repeats)
        large_runs = _measure(large, repeats)
    base = f"case board, {small:,} cases"
    return [
        Row("board", base, "ms", small_runs),
        Row(
            "board",
            f"case board, {large:,} cases",
            "ms",
            large_runs,
            baseline=base,
            goal="about 1x",
        ),
    ]


def _measure(n_cases: int, repeats: int) -> list[float]:
    from django.contrib.auth.models import Group
    from django.test import Client

    from core.models import Patient, User
    from planning.pathway.models import Case
    from planning.pathway.states import CaseState

    Case.objects.all().delete()
    Patient.objects.all().delete()
    user, _ = User.objects.get_or_create(username="bench.staff")
    user.groups.add(Group.objects.get(name="admin_staff"))
    states = cycle([s.value for s in CaseState])
    patients = Patient.objects.bulk_create(
        Patient(
            given_name=f"P{i}",
            family_name="Bench",
            date_of_birth="1980-01-01",
            mrn=f"B-{n_cases}-{i}",
        )
        for i in range(n_cases)
    )
    Case.objects.bulk_create(Case(patient=p, state=next(states)) for p in patients)
    client = Client()
    client.force_login(user)
    client.get("/cases/")
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get("/cases/")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return timings
