"""The sweep beat runs every minute. The database says what is due; the broker only nudges.

1. Claim due rows: `select_for_update(skip_locked=True)` picks rows no other sweep holds, and
   a claim (token + expiry) marks them; a claim left by a killed worker simply expires.
2. Remind each: in one transaction, check the claim is still ours, write the outbound message
   (one per follow-up: a unique constraint) and set the status. Exactly one reminder is
   decided per follow-up, however many sweeps run or die.
3. Deliver pending messages (e-mails), each claimed the same way and marked sent.
4. Mark open follow-ups whose window has ended as missed.
5. Re-drive PDF work whose message was lost: signatures and approved plans without a PDF.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.tokens import new_token
from planning.followups.models import (
    OPEN_STATUSES,
    PATIENT_KINDS,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    OutboundMessage,
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
    delivered: int = 0
    missed: int = 0
    redriven: list[str] = field(default_factory=list)


def sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    _unsigned_consent_followups(now)
    token = uuid.uuid4().hex
    for followup_id in _claim(FollowUp, _due(now), now, token, batch):
        result.reminded += _remind(followup_id, token, now)
    result.delivered = deliver_pending(now=now, batch=batch)
    result.missed = _mark_missed(now)
    result.redriven = _redrive_pdfs(now)
    return result


UNSIGNED_CONSENT_AFTER = timedelta(days=3)


def _unsigned_consent_followups(now: datetime) -> int:
    """A staff task for each invitation still unsigned after three days (one per request)."""
    from consent.models import ConsentRequest

    stale = ConsentRequest.objects.filter(
        status=ConsentRequest.Status.PENDING,
        created_at__lte=now - UNSIGNED_CONSENT_AFTER,
        expires_at__gt=now,
    ).values_list("pk", "case_id", "expires_at")[:200]
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


def _claim(
    model: type[FollowUp] | type[OutboundMessage], where: Q, now: datetime, token: str, batch: int
) -> list[int]:
    """Take up to `batch` unclaimed (or expired-claim) rows for this sweep."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        rows = model.objects.filter(where & free).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:batch])
        # The UPDATE re-checks the condition, so two sweeps can never hold the same row even
        # where SELECT ... FOR UPDATE does nothing (SQLite).
        updates: dict[str, object] = {"claimed_until": now + _claim_for()}
        if model is FollowUp:
            updates["claim_token"] = token
        model.objects.filter(where & free, pk__in=ids).update(**updates)
    if model is FollowUp:
        return list(
            FollowUp.objects.filter(pk__in=ids, claim_token=token).values_list("pk", flat=True)
        )
    return ids


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
        to_patient = followup.kind in PATIENT_KINDS and bool(followup.case.patient.email)
        try:
            OutboundMessage.objects.create(
                followup=followup,
                to=followup.case.patient.email if to_patient else "",
                staff_task=not to_patient,
                subject=_subject(followup),
                body_text="",
                message_id=f"<followup-{followup.pk}@pathway.invalid>",
            )
        except IntegrityError:  # already decided by an earlier sweep
            return 0
        followup.status = FollowUpStatus.REMINDED if to_patient else FollowUpStatus.DUE
        followup.reminded_at, followup.claimed_until = now, None
        followup.save(update_fields=["status", "reminded_at", "claimed_until"])
        audit_case(
            action="followup.remind",
            actor_label="system",
            case=followup.case,
            target=f"followup:{followup.pk}",
            data={"kind": followup.kind, "to_patient": to_patient},
        )
    return 1


def _subject(followup: FollowUp) -> str:
    return render_to_string(
        "emails/followup-reminder-subject.txt",
        {"followup": followup, "clinic_name": settings.CLINIC_NAME},
    ).strip()


def deliver_pending(*, now: datetime | None = None, batch: int = 500) -> int:
    """Send pending patient e-mails; each is claimed, sent, then marked sent."""
    now = now or timezone.now()
    where = Q(sent_at__isnull=True, staff_task=False)
    sent = 0
    for message_id in _claim(OutboundMessage, where, now, "", batch):
        sent += _deliver(message_id, now)
    return sent


def _deliver(message_pk: int, now: datetime) -> int:
    message = (
        OutboundMessage.objects.select_related("followup__case__patient")
        .filter(pk=message_pk, sent_at__isnull=True)
        .first()
    )
    if message is None:
        return 0
    followup = message.followup
    link, token_sha = _new_link(followup)
    context = {
        "followup": followup,
        "patient": followup.case.patient,
        "link": link,
        "clinic_name": settings.CLINIC_NAME,
    }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=render_to_string("emails/followup-reminder-body.txt", context),
        to=[message.to],
        headers={"Message-ID": message.message_id},
    )
    email.attach_alternative(
        render_to_string("emails/followup-reminder-body.html", context), "text/html"
    )
    FollowUp.objects.filter(pk=followup.pk).update(token_sha256=token_sha, dob_attempts=0)
    email.send()
    OutboundMessage.objects.filter(pk=message_pk).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, claimed_until=None
    )
    return 1


def _new_link(followup: FollowUp) -> tuple[str, str]:
    token, token_sha = new_token()
    base = getattr(settings, "PATHWAY_BASE_URL", "http://127.0.0.1:8000")
    return base.rstrip("/") + reverse("followups:link", args=[token]), token_sha


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
