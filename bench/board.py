"""The case board's cost with 10,000 cases against 100, in the same run: the ratio should stay
near 1 because the board runs a fixed number of bounded queries.

Runs against a throwaway database: SQLite by default, PostgreSQL when DATABASE_URL says so
(the database named there plus a `_bench` suffix is created and dropped).
"""

from __future__ import annotations

import os
import statistics
import time
from itertools import cycle


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main(small: int = 100, large: int = 10_000, repeats: int = 15) -> None:
    _setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        small_ms = _measure(small, repeats)
        large_ms = _measure(large, repeats)
    finally:
        teardown_databases(old, verbosity=0)
    print(f"database: {connection.vendor}; debug={settings.DEBUG}")
    print(f"board with {small:>6} cases: {small_ms:8.2f} ms (median of {repeats})")
    print(f"board with {large:>6} cases: {large_ms:8.2f} ms (median of {repeats})")
    print(f"ratio {large}/{small}: {large_ms / small_ms:.2f}")


def _measure(n_cases: int, repeats: int) -> float:
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
    return statistics.median(timings)
