"""The sweep's cost with 1,000 due follow-ups among 10,000 and among 1,000,000 scheduled, in
the same run, on PostgreSQL: the ratio should stay near 1, because the sweep reads open rows by
due time through a partial index and never scans the table.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pathway .venv/bin/python -m bench followups
(creates and drops a test database; the million-row setup takes a minute or two).
"""

from __future__ import annotations

import os
import time


def main(due: int = 1_000, small: int = 10_000, large: int = 1_000_000) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        if connection.vendor != "postgresql":
            print("bench/followups.py measures PostgreSQL: set DATABASE_URL=postgres://...")
            return
        small_s = _measure(due, small)
        large_s = _measure(due, large)
    finally:
        teardown_databases(old, verbosity=0)
    print(f"sweep of {due} due among {small:>9,} follow-ups: {small_s * 1000:8.1f} ms")
    print(f"sweep of {due} due among {large:>9,} follow-ups: {large_s * 1000:8.1f} ms")
    print(f"ratio {large:,}/{small:,}: {large_s / small_s:.2f}")


def _measure(due: int, total: int) -> float:
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone

    from core.models import OutboundMessage, Patient
    from planning.followups.sweep import sweep
    from planning.pathway.models import Case

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE planning_followup RESTART IDENTITY CASCADE")
    OutboundMessage.objects.filter(dedupe_key__startswith="followup-").delete()
    patient, _ = Patient.objects.get_or_create(
        mrn="BENCH-1",
        defaults={
            "given_name": "Bench",
            "family_name": "Patient",
            "date_of_birth": "1980-01-01",
            "email": "",
        },
    )
    case = Case.objects.filter(patient=patient).first() or Case.objects.create(patient=patient)
    now = timezone.now()
    _bulk(case.pk, now, due, total)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE planning_followup")
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        start = time.perf_counter()
        result = sweep(now=now, batch=due)
        elapsed = time.perf_counter() - start
    assert result.reminded == due, result
    return elapsed


def _bulk(case_id: int, now: object, due: int, total: int) -> None:
    """Fast insert with generate_series: `due` rows due now, the rest in the future."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO planning_followup (case_id, kind, key, due_at, window_ends_at, status,
                title, note, generated, claim_token, created_at)
            SELECT %s, 'check_in', 'bench:' || g,
                   CASE WHEN g <= %s THEN %s - interval '1 minute'
                        ELSE %s + (g || ' minutes')::interval END,
                   CASE WHEN g <= %s THEN %s + interval '1 day'
                        ELSE %s + (g || ' minutes')::interval + interval '1 day' END,
                   'scheduled', '', '', true, '', %s
            FROM generate_series(1, %s) AS g
            """,
            [case_id, due, now, now, due, now, now, now, total],
        )
