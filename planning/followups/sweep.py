"""The sweep beat runs every minute. The database says what is due; the broker only nudges.

1. Remind due follow-ups in batches, each batch one transaction: lock up to `batch` due rows
   that no other sweep holds (`SELECT ... FOR UPDATE OF planning_followup SKIP LOCKED`),
   decide each (the patient's channel, or a task for staff), create the patients' links in one
   INSERT, the messages in one INSERT (core.outbox.messages_enqueue; a message's dedupe key
   names its follow-up), set the states in one `UPDATE ... FROM (VALUES ...) RETURNING` that
   re-checks each row is still scheduled, and append the audit entries in one go. The claim,
   the messages and the audit entries commit together: a worker killed mid-batch leaves
   nothing, its row locks go with its connection, and the next sweep takes the rows again.
   Exactly one reminder is decided per follow-up, however many sweeps run or die. The sweep
   never sends anything itself (the outbox delivers), so a refused address cannot delay it.
2. Mark open follow-ups whose window has ended as missed.
3. Re-drive PDF work whose message was lost: signatures and approved plans without a PDF.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from core.audit import audit_entry, audit_record_many
from core.links import links_create
from core.models import AuditEntry, LinkPurpose, MessageChannel
from core.outbox import MessageDraft, SharedRendering, messages_enqueue
from planning.followups.models import (
    OPEN_STATUSES,
    PATIENT_KINDS,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
)
from planning.treatment.models import DosingPlan

logger = logging.getLogger(__name__)


PDF_GRACE = timedelta(minutes=3)


@dataclass
class SweepResult:
    reminded: int = 0
    missed: int = 0
    redriven: list[str] = field(default_factory=list)


def sweep(*, now: datetime | None = None, batch: int = 500, limit: int = 20_000) -> SweepResult:
    """One run: up to `limit` reminders, `batch` per transaction."""
    now = now or timezone.now()
    result = SweepResult()
    _unsigned_consent_followups(now)
    while result.reminded < limit:
        done = _remind_batch(now, min(batch, limit - result.reminded))
        result.reminded += done
        if done < batch:  # nothing more due, or the rest held by another sweep
            break
    result.missed = _mark_missed(now)
    result.redriven = _redrive_pdfs(now)
    return result


UNSIGNED_CONSENT_AFTER = timedelta(days=3)


UNSIGNED_CONSENT_BATCH = 200


def _unsigned_consent_followups(now: datetime) -> int:
    """A staff task for each invitation still unsigned after three days (one per request)."""
    from consent.models import ConsentRequest

    task_key = Concat(
        Value("consent_request:"), Cast(OuterRef("pk"), CharField()), Value(":unsigned")
    )
    stale = (
        ConsentRequest.objects.filter(
            status=ConsentRequest.Status.PENDING,
            created_at__lte=now - UNSIGNED_CONSENT_AFTER,
            link__expires_at__gt=now,
        )
        # Only requests still without their task, oldest first: a batch never re-reads the
        # same 200 rows while newer ones wait (no starvation however many are stale).
        .exclude(Exists(FollowUp.objects.filter(key=task_key)))
        .order_by("created_at", "pk")
        .values_list("pk", "case_id", "link__expires_at")[:UNSIGNED_CONSENT_BATCH]
    )
    rows = [
        FollowUp(
            case_id=case_id,
            kind=FollowUpKind.UNSIGNED_CONSENT,
            key=f"consent_request:{pk}:unsigned",
            due_at=now,
            window_ends_at=expires_at,
            title="Consent invitation not signed after 3 days: call the patient",
        )
        for pk, case_id, expires_at in stale
    ]
    return len(FollowUp.objects.bulk_create(rows, ignore_conflicts=True))


def _due(now: datetime) -> Q:
    return Q(status=FollowUpStatus.SCHEDULED, due_at__lte=now, window_ends_at__gt=now)


class _ClaimLost(Exception):
    """A row changed under the batch (only where rows cannot be locked: SQLite with two
    processes); the batch rolls back and the next sweep decides those rows."""


def _remind_batch(now: datetime, size: int) -> int:
    try:
        with transaction.atomic():
            rows = _lock_due(now, size)
            channels = [_patient_channel(followup) for followup in rows]
            audit: list[AuditEntry] = []
            _enqueue_reminders([(f, c) for f, c in zip(rows, channels, strict=True) if c], audit)
            for followup, channel in zip(rows, channels, strict=True):
                followup.status = FollowUpStatus.REMINDED if channel else FollowUpStatus.DUE
            if _decide(rows, now) != {followup.pk for followup in rows}:
                raise _ClaimLost
            audit_record_many(
                audit
                + [
                    audit_entry(
                        action="followup.remind",
                        actor_label="system",
                        case_id=followup.case_id,
                        patient_id=followup.case.patient_id,
                        target=f"followup:{followup.pk}",
                        data={"kind": followup.kind, "to_patient": bool(c), "channel": c},
                    )
                    for followup, c in zip(rows, channels, strict=True)
                ]
            )
    except _ClaimLost:
        logger.warning("A follow-up sweep batch lost a row to another sweep; retried next run.")
        return 0
    return len(rows)


def _lock_due(now: datetime, size: int) -> list[FollowUp]:
    """Due rows no other sweep holds, locked until this batch commits. (A lease left by an
    older version's claim is respected until it expires.)"""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return list(
        FollowUp.objects.filter(_due(now) & free)
        .select_related("case__patient")
        .order_by("due_at", "pk")
        .select_for_update(skip_locked=True, of=("self",))[:size]
    )


def _decide(rows: list[FollowUp], now: datetime) -> set[int]:
    """Set status, link and reminded_at of every row still scheduled, in one statement;
    return the ids it changed."""
    if not rows:
        return set()
    table = FollowUp._meta.db_table
    cast = "::bigint" if connection.vendor == "postgresql" else ""
    values = ", ".join([f"(%s{cast}, %s, %s{cast})"] * len(rows))
    sql = (
        f"WITH v(id, status, link_id) AS (VALUES {values}) "  # noqa: S608
        f"UPDATE {table} SET status = v.status, link_id = v.link_id, reminded_at = %s, "
        f"claimed_until = NULL FROM v WHERE {table}.id = v.id AND {table}.status = %s "
        f"RETURNING {table}.id"
    )
    params: list[Any] = [value for f in rows for value in (f.pk, f.status, f.link_id)]
    params += [now, FollowUpStatus.SCHEDULED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _patient_channel(followup: FollowUp) -> str:
    """How this reminder reaches the patient ('' = a task for staff instead): the patient's
    preferred channel when its address is known, else whichever is."""
    if followup.kind not in PATIENT_KINDS:
        return ""
    patient = followup.case.patient
    addresses: dict[str, str] = {
        MessageChannel.EMAIL: patient.email,
        MessageChannel.SMS: patient.phone,
    }
    preferred = patient.contact_channel
    if addresses.get(preferred):
        return preferred
    return next((channel for channel, address in addresses.items() if address), "")


def _enqueue_reminders(decided: list[tuple[FollowUp, str]], audit: list[AuditEntry]) -> None:
    """The patients' links (one INSERT; their audit entries go to `audit`) and their messages
    (one INSERT)."""
    made = links_create(
        LinkPurpose.FOLLOWUP,
        [(f.case.patient, f.case_id, f.window_ends_at) for f, _ in decided],
        audit=audit,
    )
    base = getattr(settings, "PATHWAY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    # The link's URL reversed once (tokens are URL-safe: reverse would not quote them).
    before, _, after = reverse("followups:link", args=["TOKEN"]).partition("TOKEN")
    drafts = []
    for (followup, channel), (link, token) in zip(decided, made, strict=True):
        followup.link = link
        patient = followup.case.patient
        drafts.append(
            MessageDraft(
                template="followup-reminder",
                channel=channel,
                to=patient.phone if channel == MessageChannel.SMS else patient.email,
                dedupe_key=f"followup-{followup.pk}",
                context={"followup": followup, "patient": patient},
                link=f"{base}{before}{token}{after}",
                case_id=followup.case_id,
                patient_id=patient.pk,
                language=patient.preferred_language,
                shared=reminder_rendering(followup),
            )
        )
    messages_enqueue(drafts)


# ---- one rendering per kind of reminder --------------------------------------------------
# A batch's reminders differ only in the patient's given name and the window's end: the
# templates are rendered once per (kind, title, channel, language) with markers for those two,
# and each message is that text with the patient's values put in (core.outbox.SharedRendering,
# which checks the first of each kind against a full rendering).

NAME_MARKER = "Pathwaymarkergivenname"
UNTIL_MARKER = datetime(1901, 2, 3, 4, 5, tzinfo=UTC)
UNTIL_FORMAT = "j F Y, H:i"  # as the reminder templates format `followup.window_ends_at`


class _FollowUpMarkers:
    """What the reminder templates read of a follow-up, the window's end a marker."""

    window_ends_at = UNTIL_MARKER

    def __init__(self, followup: FollowUp) -> None:
        self._followup = followup
        self.kind = followup.kind
        self.title = followup.title

    def get_kind_display(self) -> str:  # (called while rendering: in the message's language)
        return str(self._followup.get_kind_display())


class _PatientMarkers:
    given_name = NAME_MARKER


def _until(moment: datetime) -> str:
    return str(date_filter(timezone.localtime(moment), UNTIL_FORMAT))


_until_markers: dict[tuple[str, str], str] = {}


def _until_marker() -> str:
    """The marker's text in the active language and time zone (computed once for each)."""
    key = (translation.get_language(), timezone.get_current_timezone_name())
    text = _until_markers.get(key)
    if text is None:
        text = _until_markers[key] = _until(UNTIL_MARKER)
    return text


def reminder_rendering(followup: FollowUp) -> SharedRendering:
    patient = followup.case.patient

    def fills() -> list[tuple[str, str]]:
        return [
            (NAME_MARKER, patient.given_name),
            (_until_marker(), _until(followup.window_ends_at)),
        ]

    return SharedRendering(
        key=(followup.kind, followup.title),
        context={"followup": _FollowUpMarkers(followup), "patient": _PatientMarkers()},
        fills=fills,
    )


def _mark_missed(now: datetime) -> int:
    return FollowUp.objects.filter(status__in=OPEN_STATUSES, window_ends_at__lte=now).update(
        status=FollowUpStatus.MISSED, claimed_until=None
    )


def _redrive_pdfs(now: datetime) -> list[str]:
    """Signatures, approved plans and signed-off esketamine sessions still without their sealed
    record after a grace period."""
    from consent.selectors import sealable_signatures
    from consent.tasks import consent_pdf_make
    from planning.treatment.models import TreatmentSession
    from planning.treatment.tasks import plan_pdf_make, rems_form_make
    from records.models import RecordKind
    from records.selectors import sealed_owner_ids

    cutoff = now - PDF_GRACE
    work: list[tuple[Any, RecordKind, Any, str]] = [
        (
            sealable_signatures().filter(signed_at__lt=cutoff),
            RecordKind.CONSENT,
            consent_pdf_make,
            "signature",
        ),
        (
            DosingPlan.objects.filter(status=DosingPlan.Status.APPROVED, approved_at__lt=cutoff),
            RecordKind.PLAN,
            plan_pdf_make,
            "plan",
        ),
        (
            TreatmentSession.objects.filter(signed_off_at__lt=cutoff, rems_due_at__isnull=False),
            RecordKind.REMS,
            rems_form_make,
            "session",
        ),
    ]
    redriven = []
    for rows, kind, task, label in work:
        missing = rows.exclude(pk__in=sealed_owner_ids(kind)).values_list("pk", flat=True)[:50]
        for owner_id in missing:
            task.delay(owner_id)
            redriven.append(f"{label}:{owner_id}")
    if redriven:
        logger.warning("Re-driving PDF work whose message was lost: %s", ", ".join(redriven))
    return redriven
