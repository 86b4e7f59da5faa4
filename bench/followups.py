"""The follow-up sweep against the hand-written batched SQL doing the same work, with 1,000
due among a small and a large number of scheduled follow-ups (10,000 and 100,000 quick;
10,000 and 1,000,000 full), all in the same run on PostgreSQL.

The work, per due follow-up (patients of both channels, every reminder goes to the patient):
claim the row, create the patient's link, store the message, set the state, and append two
chained audit entries (the link's and the reminder's). The baseline does exactly that in one
transaction of plain SQL (claim by `UPDATE ... RETURNING` over a `SKIP LOCKED` select, one
multi-row INSERT each for links, messages and chained audit rows) but renders no template and
seals no link: the difference is the sweep's Python. Goals (issue 15): the sweep within 5x of
the baseline, and flat in the number of rows scheduled.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from bench.harness import Row, Scale, needs_postgres, scratch_database, timed

DUE = 1_000
PATIENTS = 200


def run(scale: Scale) -> list[Row]:
    with scratch_database() as vendor:
        skipped = needs_postgres("followups", vendor)
        if skipped:
            return skipped
        return _measure_all(scale)


def _measure_all(scale: Scale) -> list[Row]:
    from django.utils import timezone

    small, large = 10_000, scale.pick(100_000, 1_000_000)
    rows: list[Row] = []
    for total in (small, large):
        case_ids = _seed_cases()
        now = timezone.now()
        _bulk(case_ids, now, DUE, total)
        sweep_runs, sql_runs = [], []
        for n in range(-1, scale.repeats):  # run -1 warms up (imports, templates, URLs)
            _reset(now)
            sweep_ms = timed(_sweep, now)
            _reset(now)
            sql_ms = timed(_hand_sql, now)
            if n >= 0:
                sweep_runs.append(sweep_ms)
                sql_runs.append(sql_ms)
        label = f"{DUE:,} due among {total:,}"
        rows.append(Row("followups", f"hand-written batched SQL, {label}", "ms", sql_runs))
        rows.append(
            Row(
                "followups",
                f"sweep, {label}",
                "ms",
                sweep_runs,
                baseline=f"hand-written batched SQL, {label}",
                goal="within 5x",
            )
        )
    base = f"sweep, {DUE:,} due among {small:,}"
    rows.append(
        Row(
            "followups",
            f"sweep, {DUE:,} due among {large:,} (flatness)",
            "ms",
            rows[-1].runs,
            baseline=base,
            goal="about 1x",
        )
    )
    return rows


def _sweep(now: datetime) -> None:
    from planning.followups.sweep import sweep

    result = sweep(now=now, batch=500)
    assert result.reminded == DUE, result


def _seed_cases() -> list[int]:
    from core.models import Patient
    from planning.pathway.models import Case

    _truncate()
    Case.objects.all().delete()
    Patient.objects.all().delete()
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"BENCH-{i}",
            given_name=f"Bench{i}",
            family_name="Patient",
            date_of_birth="1980-01-01",
            email=f"bench{i}@example.invalid",
            phone=f"+44 7700 9{i:05d}",
            contact_channel="sms" if i % 2 else "email",
        )
        for i in range(PATIENTS)
    )
    cases = Case.objects.bulk_create(Case(patient=p) for p in patients)
    return [case.pk for case in cases]


def _bulk(case_ids: list[int], now: datetime, due: int, total: int) -> None:
    """Fast insert with generate_series: `due` PHQ-9s due now, the rest in the future."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO planning_followup (case_id, kind, key, due_at, window_ends_at, status,
                title, note, generated, claim_token, created_at)
            SELECT (%s::bigint[])[1 + g %% %s], 'phq9', 'bench:' || g,
                   CASE WHEN g <= %s THEN %s - interval '1 minute'
                        ELSE %s + (g || ' minutes')::interval END,
                   CASE WHEN g <= %s THEN %s + interval '1 day'
                        ELSE %s + (g || ' minutes')::interval + interval '1 day' END,
                   'scheduled', '', '', true, '', %s
            FROM generate_series(1, %s) AS g
            """,
            [case_ids, len(case_ids), due, now, now, due, now, now, now, total],
        )
        cursor.execute("ANALYZE planning_followup")


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE planning_followup RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM core_outboundmessage")
        cursor.execute("DELETE FROM core_patientlink")


def _reset(now: datetime) -> None:
    """Put the due rows back to scheduled; drop the messages and links a run made. (The audit
    trail is append-only: it grows by 2,000 entries a run, as it would in use.)"""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE planning_followup SET status = 'scheduled', link_id = NULL, "
            "reminded_at = NULL, claimed_until = NULL, claim_token = '' "
            "WHERE status <> 'scheduled'"
        )
        cursor.execute("DELETE FROM core_outboundmessage")
        cursor.execute("DELETE FROM core_patientlink")
        cursor.execute("VACUUM ANALYZE planning_followup")


def _hand_sql(now: datetime) -> None:
    """The same work in one transaction of plain SQL (see the module docstring)."""
    from django.db import connection, transaction

    from core.audit.hashing import link_hash
    from core.audit.sequencer import chain_head, lock_chain

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE planning_followup SET status = 'reminded', reminded_at = %s
            WHERE id IN (
                SELECT id FROM planning_followup
                WHERE status = 'scheduled' AND due_at <= %s AND window_ends_at > %s
                ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING id, case_id, window_ends_at
            """,
            [now, now, now, DUE],
        )
        claimed = cursor.fetchall()
        cursor.execute(
            "SELECT c.id, p.id, p.email, p.phone, p.contact_channel FROM planning_case c "
            "JOIN core_patient p ON p.id = c.patient_id WHERE c.id = ANY(%s)",
            [list({case_id for _, case_id, _ in claimed})],
        )
        patients = {row[0]: row[1:] for row in cursor.fetchall()}
        link_rows = []
        for followup_id, case_id, ends in claimed:
            patient_id = patients[case_id][0]
            digest = hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
            link_rows.append((followup_id, case_id, patient_id, digest, ends))
        cursor.execute(
            "INSERT INTO core_patientlink (purpose, patient_id, case_id, token_sha256, "
            "created_at, expires_at, dob_failures) SELECT 'followup', p, c, t, %s, e, 0 "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::timestamptz[]) "
            "AS v(p, c, t, e) RETURNING id",
            [
                now,
                [r[2] for r in link_rows],
                [r[1] for r in link_rows],
                [r[3] for r in link_rows],
                [r[4] for r in link_rows],
            ],
        )
        link_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "UPDATE planning_followup f SET link_id = v.l FROM unnest(%s::bigint[], "
            "%s::bigint[]) AS v(f, l) WHERE f.id = v.f",
            [[r[0] for r in link_rows], link_ids],
        )
        _insert_messages(cursor, link_rows, patients)
        lock_chain()
        seq, prev = chain_head()
        audit_rows = []
        for (followup_id, case_id, patient_id, _, _), link_id in zip(
            link_rows, link_ids, strict=True
        ):
            for action, target in (
                ("followup.link.created", f"link:{link_id}"),
                ("followup.remind", f"followup:{followup_id}"),
            ):
                content = hashlib.sha256(f"{action}{target}{now}".encode()).hexdigest()
                seq += 1
                entry_hash = link_hash(seq, prev, content)
                audit_rows.append(
                    (seq, action, case_id, patient_id, target, content, prev, entry_hash)
                )
                prev = entry_hash
        _insert_audit(cursor, audit_rows, now)


def _insert_messages(
    cursor: Any, link_rows: list[tuple[Any, ...]], patients: dict[int, Any]
) -> None:
    keys, tos, channels, cases, pats = [], [], [], [], []
    for followup_id, case_id, patient_id, _, _ in link_rows:
        _, email, phone, channel = patients[case_id]
        keys.append(f"followup-{followup_id}")
        tos.append(phone if channel == "sms" else email)
        channels.append(channel)
        cases.append(case_id)
        pats.append(patient_id)
    cursor.execute(
        'INSERT INTO core_outboundmessage (channel, dedupe_key, template, "to", subject, '
        "body_text, body_html, attachment_name, attachment_mime, sealed_link, message_id, "
        "case_id, patient_id, status, attempts, next_attempt_at, claim_token, last_error, "
        "created_at) SELECT ch, k, 'followup-reminder', t, 'Your questionnaire', "
        "'Answer the questionnaire', '', '', '', '', '<' || k || '@pathway.invalid>', c, p, "
        "'pending', 0, now(), '', '', now() FROM unnest(%s::text[], %s::text[], %s::text[], "
        "%s::bigint[], %s::bigint[]) AS v(ch, k, t, c, p)",
        [channels, keys, tos, cases, pats],
    )


def _insert_audit(cursor: Any, rows: list[tuple[Any, ...]], now: datetime) -> None:
    columns = list(zip(*rows, strict=True))
    cursor.execute(
        "INSERT INTO core_auditentry (seq, created_at, actor_label, action, case_id, "
        "patient_id, target, data, user_agent, content_hash, hash_version, prev_hash, "
        "entry_hash) SELECT s, %s, 'system', a, c, p, t, %s::jsonb, '', h, 2, ph, eh "
        "FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::bigint[], %s::text[], "
        "%s::text[], %s::text[], %s::text[]) AS v(s, a, c, p, t, h, ph, eh)",
        [now, json.dumps({"kind": "phq9"}), *[list(column) for column in columns]],
    )
