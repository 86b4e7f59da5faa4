"""The staff workspace's server time at 10,000 and at 1,000,000 cases (ten audit events each),
on PostgreSQL, each page beside one hand-written SQL query that reads the same rows.

Pages (Django test client, DEBUG off, signed in): the board (open cases, page 1), the board
filtered (active, overdue, waiting on the nurse), the nurse's work queue, and the case page of
an active case. Reported: p50 and p95 over `WORKSPACE_BENCH_REPEATS` requests (default 30) and
the ratio p50(page) / p50(SQL).

Each hand-written query reads what its page displays: the board's every fact the rows show or
decide on (alerts, overrides, plans, sessions, REMS forms, follow-ups, links, messages), the
queue its two sections, and the case page its whole record in one query (`CASE_SQL`: the
case, patient and physician with the newest 200 events, alerts, plans, sessions, scores,
follow-ups, intake records, medications, overrides, consent invitations and sealed records as
JSON arrays). Until 2026-11-28 the case page's query read only the case and its events.

The history grows, the work in hand does not: every scale has the same 2,000 open cases (with
sessions, follow-ups, alerts, invitations and failed messages); the rest are closed (completed,
withdrawn, ineligible), as a clinic's cases become over the years. Patients, cases and audit
events are bulk-loaded with INSERT ... SELECT generate_series.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pw_x .venv/bin/python -m bench workspace
(creates and drops the test database `test_pw_x`). WORKSPACE_BENCH_SCALES="10000" for a quick
run (default "10000,1000000"). `rows()` returns the table for the bench harness.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OPEN_CASES = 2_000
EVENTS_PER_CASE = 10
OPEN_STATES = (
    "consultation",
    "evaluation",
    "medication_review",
    "consent_pending",
    "plan_pending",
    "active",
    "on_hold",
)
CLOSED_STATES = ("completed", "withdrawn", "ineligible")


@dataclass(frozen=True)
class Row:
    cases: int
    page: str
    page_p50_ms: float
    page_p95_ms: float
    sql_p50_ms: float
    sql_p95_ms: float
    page_runs: tuple[float, ...] = ()
    sql_runs: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        return self.page_p50_ms / self.sql_p50_ms if self.sql_p50_ms else float("inf")


def _setup() -> None:
    """Django with DEBUG off (bench.harness). Not `setup_test_environment`: it instruments
    every template render (a signal and a copy of the context per template and include, which
    a server does not do; it added about a tenth to each page)."""
    from bench.harness import django_setup

    django_setup()


def _scales() -> list[int]:
    raw = os.environ.get("WORKSPACE_BENCH_SCALES", "10000,1000000")
    return [int(part) for part in raw.split(",") if part.strip()]


def rows(scales: list[int] | None = None, repeats: int | None = None) -> list[Row]:
    """Seeds each scale in turn into a throwaway PostgreSQL database and measures it."""
    _setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    repeats = repeats or int(os.environ.get("WORKSPACE_BENCH_REPEATS", "30"))
    old = setup_databases(verbosity=0, interactive=False)
    try:
        if connection.vendor != "postgresql":
            raise SystemExit("bench/workspace.py measures PostgreSQL: set DATABASE_URL=postgres://")
        measured: list[Row] = []
        for n in scales or _scales():
            started = time.perf_counter()
            context = _seed(n)
            print(f"seeded {n:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
            measured.extend(_measure(n, context, repeats))
        return measured
    finally:
        teardown_databases(old, verbosity=0)


def run(scale: Any) -> list[Any]:
    """The rows for `make bench` (bench/harness.py): each page beside its hand-written SQL, at
    10,000 cases (quick) or 10,000 and 1,000,000 (full); WORKSPACE_BENCH_SCALES overrides."""
    from bench.harness import Row as TableRow

    scales = _scales() if "WORKSPACE_BENCH_SCALES" in os.environ else [10_000]
    if scale.full and "WORKSPACE_BENCH_SCALES" not in os.environ:
        scales = [10_000, 1_000_000]
    table: list[Any] = []
    for r in rows(scales, repeats=max(10, scale.repeats * 5)):
        sql_what = f"hand-written SQL for the {r.page}, {r.cases:,} cases"
        table.append(TableRow("workspace", sql_what, "ms", list(r.sql_runs)))
        table.append(
            TableRow(
                "workspace",
                f"{r.page}, {r.cases:,} cases (p95 {r.page_p95_ms:.0f} ms)",
                "ms",
                list(r.page_runs),
                baseline=sql_what,
                goal="within 3x",
            )
        )
    return table


def main() -> None:
    table = rows()
    print(f"{'cases':>10} {'page':<17} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} "
          f"{'SQL p95':>8} {'ratio':>6}")  # fmt: skip
    for r in table:
        print(
            f"{r.cases:>10,} {r.page:<17} {r.page_p50_ms:8.1f} {r.page_p95_ms:8.1f} "
            f"{r.sql_p50_ms:8.2f} {r.sql_p95_ms:8.2f} {r.ratio:6.1f}"
        )


# --- seeding -------------------------------------------------------------------------------


def _exec(sql: str, params: dict[str, Any] | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})


def _seed(n: int) -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from core.models import User

    _exec(
        "TRUNCATE core_auditentry, planning_followup, planning_treatmentsession, "
        "planning_dosingplan, planning_safetyalert, consent_consentrequest, "
        "core_outboundmessage, core_patientlink, planning_case, core_patient "
        "RESTART IDENTITY CASCADE"
    )
    doctors = []
    for i in range(5):
        user, _ = User.objects.get_or_create(
            username=f"bench.physician{i}", defaults={"first_name": "Doc", "last_name": f"B{i}"}
        )
        user.groups.add(Group.objects.get(name="physician"))
        doctors.append(user.pk)
    staff, _ = User.objects.get_or_create(username="bench.staff")
    for role in ("admin_staff", "clinician", "physician"):
        staff.groups.add(Group.objects.get(name=role))
    _seed_cases(n, doctors)
    _seed_audit()
    _seed_open_facts(doctors[0])
    _exec("ANALYZE")
    from planning.pathway.models import Case

    active = Case.objects.filter(state="active").order_by("pk").values_list("pk", flat=True)
    return {"staff": staff, "case_id": active[len(active) // 2]}


def _seed_cases(n: int, doctors: list[int]) -> None:
    _exec(
        """
        INSERT INTO core_patient (given_name, family_name, given_key, family_key, date_of_birth,
            mrn, sex_at_birth, email, phone, contact_channel, preferred_language, created_at,
            updated_at)
        SELECT 'Given' || g, 'Family' || (g %% 5000), 'given' || g, 'family' || (g %% 5000),
            DATE '1940-01-01' + (g %% 20000), 'W-' || g, 'unknown', '', '', 'email', 'en',
            now(), now()
        FROM generate_series(1, %(n)s) g
        """,
        {"n": n},
    )
    # The newest OPEN_CASES cases are open; the older ones closed long ago.
    _exec(
        """
        INSERT INTO planning_case (patient_id, physician_id, state, held_from,
            state_changed_at, created_at, updated_at)
        SELECT p.id, (%(doctors)s::bigint[])[1 + p.id %% 5],
            CASE WHEN p.id > %(n)s - %(open)s
                THEN (%(open_states)s::text[])[1 + p.id %% 7]
                ELSE (%(closed_states)s::text[])[1 + p.id %% 3] END,
            '',
            now() - make_interval(days => ((%(n)s - p.id) %% 400)::int, secs => p.id %% 86400),
            now() - make_interval(days => ((%(n)s - p.id) %% 400)::int + 30),
            now()
        FROM core_patient p
        """,
        {
            "n": n,
            "open": min(OPEN_CASES, n),
            "doctors": doctors,
            "open_states": list(OPEN_STATES),
            "closed_states": list(CLOSED_STATES),
        },
    )


def _without_indexes(table: str) -> tuple[list[str], list[str]]:
    """Drops the table's secondary indexes and unique constraints (a bulk load then builds each
    index once, sorted, instead of maintaining it row by row); returns the statements that
    restore them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
    drops = [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for name, _ in constraints]
    drops += [f'DROP INDEX "{name}"' for name, _ in indexes]
    restores = [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints]
    restores += [definition for _, definition in indexes]
    return drops, restores


def _seed_audit() -> None:
    drops, restores = _without_indexes("core_auditentry")
    for statement in drops:
        _exec(statement)
    _exec("SET maintenance_work_mem = '256MB'")
    _insert_audit()
    for statement in restores:
        _exec(statement)


def _insert_audit() -> None:
    _exec(
        """
        INSERT INTO core_auditentry (seq, created_at, actor_label, action, case_id, patient_id,
            target, data, user_agent, content_hash, hash_version, prev_hash, entry_hash)
        SELECT c.id * 10 + k, c.created_at + make_interval(hours => k), 'Bench Staff',
            CASE WHEN k = 1 THEN 'case.open' ELSE 'case.transition' END,
            c.id, c.patient_id, 'case:' || c.id,
            CASE WHEN k = 1 THEN '{}'::jsonb
                ELSE jsonb_build_object('from', 'consultation', 'to', 'evaluation',
                                        'reason', 'bench') END,
            '', md5(c.id || ':' || k) || md5(k || ':' || c.id), 2, NULL,
            md5('e' || c.id || ':' || k) || md5('e' || k || ':' || c.id)
        FROM planning_case c CROSS JOIN generate_series(1, %(k)s) k
        """,
        {"k": EVENTS_PER_CASE},
    )


def _seed_open_facts(author_id: int) -> None:
    """Sessions, follow-ups, alerts, invitations and failed messages on the open cases only
    (the same at every scale)."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import MessageStatus, OutboundMessage
    from planning.followups.models import FollowUp
    from planning.intake.models import SafetyAlert
    from planning.pathway.models import Case
    from planning.treatment.models import ClinicProtocol, DosingPlan, TreatmentSession

    now, today = timezone.now(), timezone.localdate()
    protocol = ClinicProtocol.objects.get(route="iv")
    active = list(Case.objects.filter(state__in=["active", "plan_pending"]).order_by("pk"))
    plans = DosingPlan.objects.bulk_create(
        DosingPlan(
            case=c,
            protocol=protocol,
            route="iv",
            dose_mg=35,
            sessions=3,
            frequency="weekly",
            start_date=today,
            monitoring_requirements="BP",
            cost_per_session_cents=0,
            total_cost_cents=0,
            status="approved" if c.state == "active" else "draft",
            created_by_id=author_id,
        )
        for c in active
    )
    sessions, followups = [], []
    for plan, case in zip(plans, active, strict=True):
        if case.state != "active":
            continue
        for number, days in ((1, -7 - case.pk % 5), (2, -(case.pk % 3)), (3, 7)):
            status = "signed_off" if number == 1 else "scheduled"
            sessions.append(
                TreatmentSession(
                    case=case,
                    plan=plan,
                    number=number,
                    scheduled_for=today + timedelta(days=days),
                    status=status,
                )
            )
        for k, hours in enumerate((-30, 20, 200)):
            followups.append(
                FollowUp(
                    case=case,
                    kind="check_in",
                    key=f"bench:{case.pk}:{k}",
                    due_at=now + timedelta(hours=hours),
                    window_ends_at=now + timedelta(hours=hours + 48),
                    status="due" if hours < 0 else "scheduled",
                )
            )
    TreatmentSession.objects.bulk_create(sessions)
    FollowUp.objects.bulk_create(followups)
    open_ids = list(
        Case.objects.exclude(state__in=CLOSED_STATES).order_by("pk").values_list("pk", "patient_id")
    )
    SafetyAlert.objects.bulk_create(
        SafetyAlert(case_id=pk, message="PHQ-9 item 9 above 0") for pk, _ in open_ids[::20]
    )
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            channel="email",
            dedupe_key=f"bench:{pk}",
            template="consent_invite",
            to="patient@example.invalid",
            body_text="x",
            message_id=f"<bench.{pk}@example.invalid>",
            case_id=pk,
            patient_id=patient_id,
            status=MessageStatus.FAILED,
            failed_at=now,
        )
        for pk, patient_id in open_ids[::25]
    )


# --- measuring -----------------------------------------------------------------------------


def _timed(call: Callable[[], Any], repeats: int) -> list[float]:
    """Milliseconds of each of `repeats` calls after one warm-up call, sorted."""
    call()  # warm
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def _p50_p95(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)]


def _sql(query: str, params: dict[str, Any]) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    return run


# The board's rows with the facts the page shows or decides on, as one would write it by hand
# (who acts next is then decided from them, in SQL or in the application).
BOARD_SQL = """
SELECT c.id, c.state, c.state_changed_at, p.given_name, p.family_name, p.mrn, p.date_of_birth,
    u.first_name, u.last_name,
    (SELECT count(*) FROM planning_safetyalert a WHERE a.case_id = c.id AND a.decided_at IS NULL),
    (SELECT min(s.scheduled_for) FROM planning_treatmentsession s
        WHERE s.case_id = c.id AND s.status = 'scheduled') AS session_due_on,
    (SELECT min(f.due_at) FROM planning_followup f
        WHERE f.case_id = c.id AND f.status IN ('scheduled', 'due', 'reminded'))
        AS followup_due_at,
    EXISTS (SELECT 1 FROM consent_consentrequest r
        WHERE r.case_id = c.id AND r.status = 'pending'),
    (SELECT count(*) FROM core_outboundmessage m WHERE m.case_id = c.id AND m.status = 'failed'),
    (SELECT min(a.raised_at) FROM planning_safetyalert a
        WHERE a.case_id = c.id AND a.decided_at IS NULL),
    (SELECT count(*) FROM planning_contraindicationoverride o WHERE o.case_id = c.id),
    EXISTS (SELECT 1 FROM planning_dosingplan d WHERE d.case_id = c.id AND d.status = 'draft'),
    (SELECT min(s.rems_due_at) FROM planning_treatmentsession s
        WHERE s.case_id = c.id AND s.rems_due_at IS NOT NULL AND s.rems_submitted_at IS NULL),
    EXISTS (SELECT 1 FROM planning_followup f WHERE f.case_id = c.id AND f.status = 'reminded'),
    EXISTS (SELECT 1 FROM consent_consentrequest r JOIN core_patientlink l ON l.id = r.link_id
        WHERE r.case_id = c.id AND r.status = 'pending' AND l.revoked_at IS NULL
        AND (l.locked_at IS NOT NULL OR l.expires_at <= now()))
FROM planning_case c JOIN core_patient p ON p.id = c.patient_id
    LEFT JOIN core_user u ON u.id = c.physician_id
WHERE NOT (c.state IN ('completed', 'ineligible', 'withdrawn')) {where}
ORDER BY c.state_changed_at, c.id LIMIT 26
"""

FILTER_SQL = """ AND c.state = 'active'
    AND (SELECT count(*) FROM planning_safetyalert a
         WHERE a.case_id = c.id AND a.decided_at IS NULL) = 0
    AND (SELECT min(s.scheduled_for) FROM planning_treatmentsession s
         WHERE s.case_id = c.id AND s.status = 'scheduled') < current_date"""

QUEUE_SQL = """
(SELECT s.case_id, p.given_name, p.family_name, p.mrn, s.scheduled_for::timestamptz AS due
 FROM planning_treatmentsession s JOIN planning_case c ON c.id = s.case_id
 JOIN core_patient p ON p.id = c.patient_id
 WHERE s.status = 'scheduled' AND s.scheduled_for <= current_date AND c.state = 'active'
 ORDER BY s.scheduled_for, s.id LIMIT 51)
UNION ALL
(SELECT f.case_id, p.given_name, p.family_name, p.mrn, f.due_at
 FROM planning_followup f JOIN planning_case c ON c.id = f.case_id
 JOIN core_patient p ON p.id = c.patient_id
 WHERE f.status IN ('scheduled', 'due', 'reminded') AND f.due_at <= now()
 ORDER BY f.due_at, f.id LIMIT 51)
"""

# The case page's rows, as one would write them by hand: the case, its patient and physician,
# and everything its cards display, each as a JSON array of the rows it reads (the timeline's
# newest 200 events, alerts, plans, sessions, questionnaire scores, follow-ups, the intake
# records, medications, overrides, consent invitations and paper copies, sealed records).
# Earlier versions of this benchmark read only the case and its events: the page reads more.
CASE_SQL = """
SELECT c.id, c.state, c.state_changed_at, p.given_name, p.family_name, p.mrn, p.date_of_birth,
    p.email, p.phone, p.preferred_language, u.first_name, u.last_name,
    (SELECT json_agg(e) FROM (SELECT seq, action, created_at, actor_label, target, data
        FROM core_auditentry WHERE case_id = c.id ORDER BY created_at DESC, id DESC LIMIT 200) e),
    (SELECT json_agg(a) FROM planning_safetyalert a WHERE a.case_id = c.id),
    (SELECT json_agg(d ORDER BY d.version) FROM planning_dosingplan d WHERE d.case_id = c.id),
    (SELECT json_agg(s ORDER BY s.number) FROM planning_treatmentsession s
        WHERE s.case_id = c.id),
    (SELECT json_agg(json_build_object('code', q.code, 'at', r.recorded_at, 'total', r.total,
            'band', r.band) ORDER BY r.recorded_at)
        FROM planning_questionnaireresponse r
        JOIN planning_questionnairedefinition q ON q.id = r.definition_id
        WHERE r.case_id = c.id),
    (SELECT json_agg(f ORDER BY f.due_at) FROM planning_followup f WHERE f.case_id = c.id),
    (SELECT json_agg(x ORDER BY x.version) FROM planning_consultation x WHERE x.case_id = c.id),
    (SELECT json_agg(x ORDER BY x.version) FROM planning_evaluation x WHERE x.case_id = c.id),
    (SELECT json_agg(m ORDER BY m.recorded_at) FROM planning_medication m
        WHERE m.case_id = c.id),
    (SELECT json_agg(o) FROM planning_contraindicationoverride o WHERE o.case_id = c.id),
    (SELECT json_agg(k) FROM planning_medicationreviewconfirmation k WHERE k.case_id = c.id),
    (SELECT json_agg(i) FROM planning_interactionacknowledgement i WHERE i.case_id = c.id),
    (SELECT json_agg(r ORDER BY r.created_at) FROM consent_consentrequest r
        WHERE r.case_id = c.id),
    (SELECT json_agg(pc) FROM consent_papercopyrequest pc WHERE pc.case_id = c.id),
    (SELECT json_agg(json_build_object('kind', sr.kind, 'version', sr.version,
            'file_name', sr.file_name, 'created_at', sr.created_at))
        FROM records_sealedrecord sr WHERE sr.case_id = c.id)
FROM planning_case c JOIN core_patient p ON p.id = c.patient_id
LEFT JOIN core_user u ON u.id = c.physician_id
WHERE c.id = %(case_id)s
"""


def _measure(n: int, context: dict[str, Any], repeats: int) -> list[Row]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(context["staff"])
    case_id = context["case_id"]
    filtered = "/cases/?state=active&overdue=on&waiting=nurse"
    pages = [
        # Any signed-in page's floor (session, user, middleware, base template), for scale.
        ("floor: security", reverse("security"), _sql("SELECT 1", {})),
        ("board", "/cases/", _sql(BOARD_SQL.format(where=""), {})),
        ("board filtered", filtered, _sql(BOARD_SQL.format(where=FILTER_SQL), {})),
        ("nurse queue", "/cases/work/?queue=nurse", _sql(QUEUE_SQL, {})),
        ("case page", f"/cases/{case_id}/", _sql(CASE_SQL, {"case_id": case_id})),
    ]
    measured = []
    for name, url, raw in pages:

        def get(url: str = url) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")

        page, sql = _timed(get, repeats), _timed(raw, repeats)
        measured.append(Row(n, name, *_p50_p95(page), *_p50_p95(sql), tuple(page), tuple(sql)))
    return measured
