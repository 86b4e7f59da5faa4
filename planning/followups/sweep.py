"""The sweep beat runs every minute. The database says what is due; the broker only nudges.

1. Claim due rows: `select_for_update(skip_locked=True)` picks rows no other sweep holds, and
   a claim (token + expiry) marks them; a claim left by a killed worker simply expires.
2. Remind each: in one transaction, check the claim is still ours and the row still scheduled,
   make the patient's link, enqueue the message (its dedupe key names the follow-up) and set
   the status. Exactly one reminder is decided per follow-up, however many sweeps run or die.
   A patient's reminder is a message in core's outbox (core.outbox), which delivers it; the
   sweep never sends anything itself, so a refused address cannot delay its other jobs.
3. Mark open follow-ups whose window has ended as missed.
4. Re-drive PDF work whose message was lost: signatures and approved plans without a PDF.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from core.claims import claim_rows
from core.links import link_create
from core.models import LinkPurpose, MessageChannel
from core.outbox import message_enqueue
from planning.followups.models import (
    OPEN_STATUSES,
    PATIENT_KINDS,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
)
from planning.pathway.audit import audit_case
from planning.treatment.models import DosingPlan

logger = logging.getLogger(__name__)


def _claim_for() -> timedelta:
    """How long a sweep holds a row; a killed worker's rows come back after this."""
    return timedelta(seconds=getattr(settings, "FOLLOWUP_CLAIM_SECONDS", 300))


PDF_GRACE = timedelta(minutes=3)


@dataclass
class SweepResult:
    reminded: int = 0
    missed: int = 0
    redriven: list[str] = field(default_factory=list)


def sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    _unsigned_consent_followups(now)
    token = uuid.uuid4().hex
    for followup_id in _claim(_due(now), now, token, batch):
        result.reminded += _remind(followup_id, token, now)
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


def _claim(where: Q, now: datetime, token: str, batch: int) -> list[int]:
    return claim_rows(FollowUp, where, now=now, lease=_claim_for(), token=token, batch=batch)


def _remind(followup_id: int, token: str, now: datetime) -> int:
    with transaction.atomic():
        followup = (
            FollowUp.objects.select_for_update()
            .select_related("case__patient")
            .filter(pk=followup_id, claim_token=token, status=FollowUpStatus.SCHEDULED)
            .first()
        )
        if followup is None:
            return 0
        channel = _patient_channel(followup)
        if channel:
            _enqueue_reminder(followup, channel)
        followup.status = FollowUpStatus.REMINDED if channel else FollowUpStatus.DUE
        followup.reminded_at, followup.claimed_until = now, None
        followup.save(update_fields=["status", "reminded_at", "claimed_until", "link"])
        audit_case(
            action="followup.remind",
            actor_label="system",
            case=followup.case,
            target=f"followup:{followup.pk}",
            data={"kind": followup.kind, "to_patient": bool(channel), "channel": channel},
        )
    return 1


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


def _enqueue_reminder(followup: FollowUp, channel: str) -> None:
    patient = followup.case.patient
    followup.link, token = link_create(
        purpose=LinkPurpose.FOLLOWUP,
        patient=patient,
        case_id=followup.case_id,
        expires_at=followup.window_ends_at,
    )
    base = getattr(settings, "PATHWAY_BASE_URL", "http://127.0.0.1:8000")
    message_enqueue(
        template="followup-reminder",
        channel=channel,
        to=patient.phone if channel == MessageChannel.SMS else patient.email,
        dedupe_key=f"followup-{followup.pk}",
        context={"followup": followup, "patient": patient},
        link=base.rstrip("/") + reverse("followups:link", args=[token]),
        case_id=followup.case_id,
        patient_id=patient.pk,
        language=patient.preferred_language,
    )


def _mark_missed(now: datetime) -> int:
    return FollowUp.objects.filter(status__in=OPEN_STATUSES, window_ends_at__lte=now).update(
        status=FollowUpStatus.MISSED, claimed_until=None
    )


def _redrive_pdfs(now: datetime) -> list[str]:
    """Signatures, approved plans and signed-off esketamine sessions still without their sealed
    record after a grace period."""
    from consent.models import ConsentSignature
    from consent.tasks import consent_pdf_make
    from planning.treatment.models import TreatmentSession
    from planning.treatment.tasks import plan_pdf_make, rems_form_make
    from records.models import RecordKind
    from records.selectors import sealed_owner_ids

    cutoff = now - PDF_GRACE
    work: list[tuple[Any, RecordKind, Any, str]] = [
        (
            ConsentSignature.objects.filter(signed_at__lt=cutoff),
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
