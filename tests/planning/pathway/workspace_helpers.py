"""Facts for the board and the work queues, written straight to the models (fictional)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from consent.models import ConsentDocument, ConsentRequest
from core.models import MessageStatus, OutboundMessage
from planning.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from planning.intake.models import ContraindicationOverride, ContraindicationType, SafetyAlert
from planning.pathway.models import Case
from planning.treatment.models import ClinicProtocol, DosingPlan, TreatmentSession
from tests.consent.helpers import make_link
from tests.factories import UserFactory


def plan(case: Case, *, status: str = DosingPlan.Status.DRAFT) -> DosingPlan:
    author = UserFactory()
    return DosingPlan.objects.create(
        case=case,
        protocol=ClinicProtocol.objects.get(route="iv"),
        route="iv",
        dose_mg=Decimal("35"),
        sessions=2,
        frequency="weekly",
        start_date=timezone.localdate(),
        monitoring_requirements="BP",
        cost_per_session_cents=0,
        total_cost_cents=0,
        created_by=author,
        status=status,
    )


def session(case: Case, *, on: date, number: int = 1, **fields: Any) -> TreatmentSession:
    the_plan = DosingPlan.objects.filter(case=case).first() or plan(
        case, status=DosingPlan.Status.APPROVED
    )
    return TreatmentSession.objects.create(
        case=case, plan=the_plan, number=number, scheduled_for=on, **fields
    )


def alert(case: Case, *, decided: bool = False) -> SafetyAlert:
    now = timezone.now()
    return SafetyAlert.objects.create(
        case=case, message="PHQ-9 item 9 above 0", decided_at=now if decided else None
    )


def override(case: Case) -> ContraindicationOverride:
    kind = ContraindicationType.objects.filter(kind="relative").first()
    assert kind is not None
    return ContraindicationOverride.objects.create(
        case=case, contraindication=kind, reason="Reviewed", physician=UserFactory()
    )


def consent_request(
    case: Case, *, expires_in: timedelta = timedelta(days=3), locked: bool = False
) -> ConsentRequest:
    link = make_link(case.patient, case_id=case.pk)
    link.expires_at = timezone.now() + expires_in
    link.locked_at = timezone.now() if locked else None
    link.save()
    return ConsentRequest.objects.create(
        patient=case.patient,
        case_id=case.pk,
        document=ConsentDocument.objects.get_or_create(
            kind=ConsentDocument.KIND_TREATMENT, defaults={"title": "Consent (test)"}
        )[0],
        link=link,
        status=ConsentRequest.Status.PENDING,
    )


def failed_message(case: Case) -> OutboundMessage:
    n = OutboundMessage.objects.count()
    return OutboundMessage.objects.create(
        channel="email",
        dedupe_key=f"test:{case.pk}:{n}",
        template="consent_invite",
        to="patient@example.invalid",
        subject="Your consent form",
        body_text="x",
        message_id=f"<t{case.pk}.{n}@example.invalid>",
        case_id=case.pk,
        patient_id=case.patient_id,
        status=MessageStatus.FAILED,
        failed_at=timezone.now(),
        last_error="mailbox unavailable",
    )


def followup(
    case: Case,
    *,
    due_at: datetime,
    status: str = FollowUpStatus.DUE,
    kind: str = FollowUpKind.CHECK_IN,
) -> FollowUp:
    return FollowUp.objects.create(
        case=case,
        kind=kind,
        key=f"test:{case.pk}:{kind}:{due_at.isoformat()}",
        due_at=due_at,
        window_ends_at=due_at + timedelta(days=2),
        status=status,
    )
