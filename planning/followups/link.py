"""The patient's questionnaire link: token and date of birth, then the PHQ-9.

The score is stored as a questionnaire response, the follow-up completed, response (a fall of
50 % or more from the evaluation's baseline) and remission (below 5) computed; a worse score
than last time or item 9 above zero raises a safety alert for staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import DomainError, NotFound, ValidationFailed
from core.links import link_for_token, link_require_open, link_revoke
from core.models import LinkPurpose
from planning.followups.models import FollowUp, FollowUpStatus
from planning.intake import scoring
from planning.intake.models import QuestionnaireDefinition, QuestionnaireResponse
from planning.intake.services import alert_raise, questionnaire_response_store
from planning.pathway.audit import audit_case


class LinkGone(DomainError):
    status = 410
    code = "link_gone"


class AlreadyReceived(LinkGone):
    """The answers came in already: the page thanks the patient and says when (not an error
    page: opening the link again is what people do)."""

    status = 200
    code = "already_received"

    def __init__(self, received_at: datetime | None) -> None:
        super().__init__(gettext("This questionnaire was already completed. Thank you."))
        self.received_at = received_at


def followup_for_token(token: str) -> FollowUp:
    """The open follow-up a link points to, or a clear refusal. The link's own rules (expiry,
    revocation, the date-of-birth lock) are core.links'; the follow-up adds its own status."""
    link = link_for_token(token, purpose=LinkPurpose.FOLLOWUP)
    followup = (
        FollowUp.objects.select_related("case__patient", "link").filter(link=link).first()
        if link is not None
        else None
    )
    if followup is None or followup.link is None:
        raise NotFound(
            gettext("This link is not valid. Please use the latest message from the clinic.")
        )
    followup_require_answerable(followup)
    link_require_open(followup.link)
    return followup


def followup_require_answerable(followup: FollowUp) -> None:
    """A completed questionnaire says when it was received; a closed one that it expired."""
    if followup.status == FollowUpStatus.COMPLETED:
        raise AlreadyReceived(followup.completed_at)
    if followup.status not in (FollowUpStatus.REMINDED, FollowUpStatus.SCHEDULED) or (
        followup.window_ends_at <= timezone.now()
    ):
        raise LinkGone(gettext("This link has expired. The clinic will contact you."))


def phq9_definition() -> QuestionnaireDefinition:
    return QuestionnaireDefinition.objects.filter(code="phq9", active=True).order_by(
        "-version"
    ).first() or QuestionnaireDefinition.objects.get(code="phq9", version=1)


@dataclass(frozen=True)
class Outcome:
    response: QuestionnaireResponse
    trend: scoring.TreatmentResponse | None
    alerts: list[str]


def followup_questionnaire_submit(*, followup_id: int, answers: dict[str, object]) -> Outcome:
    definition = phq9_definition()
    try:
        result = scoring.score(definition.parsed(), answers)
    except scoring.AnswerError as exc:
        raise ValidationFailed(dict(exc.errors)) from exc
    with transaction.atomic():
        followup = (
            FollowUp.objects.select_for_update().select_related("case__patient").get(pk=followup_id)
        )
        if followup.status == FollowUpStatus.COMPLETED:
            raise AlreadyReceived(followup.completed_at)
        case = followup.case
        previous = (
            QuestionnaireResponse.objects.filter(case=case, definition__code="phq9")
            .order_by("-recorded_at")
            .first()
        )
        baseline = (
            QuestionnaireResponse.objects.filter(
                case=case, definition__code="phq9", evaluation__isnull=False
            )
            .order_by("-recorded_at")
            .first()
        )
        response = questionnaire_response_store(case, None, None, definition, result)
        alerts = list(result.alerts)
        if (
            previous
            and previous.total is not None
            and result.total is not None
            and (result.total > previous.total)
        ):
            message = f"PHQ-9 worse than last time ({previous.total} → {result.total})"
            alert_raise(case=case, message=message, response=response)
            alerts.append(message)
        followup.status, followup.completed_at = FollowUpStatus.COMPLETED, timezone.now()
        followup.response = response
        followup.save(update_fields=["status", "completed_at", "response"])
        if followup.link_id is not None:
            link_revoke(link_id=followup.link_id, actor=None, reason="questionnaire completed")
        trend = (
            scoring.treatment_response(baseline.total, result.total)
            if baseline and baseline.total is not None and result.total is not None
            else None
        )
        audit_case(
            action="followup.questionnaire",
            actor_label="patient (link)",
            case=case,
            target=f"followup:{followup.pk}",
            data={
                "total": result.total,
                "alerts": alerts,
                "response": trend.response if trend else None,
                "remission": trend.remission if trend else None,
            },
        )
    return Outcome(response, trend, alerts)
