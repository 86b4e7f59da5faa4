"""Every write during intake: records are added (corrections are new versions), never edited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from core.errors import AccessDenied, NotFound, ValidationFailed
from core.esign import ESignature
from core.models import User
from planning.intake import rules as intake_rules
from planning.intake import scoring
from planning.intake.models import (
    AlertDecision,
    AntidepressantTrial,
    Consultation,
    ContraindicationKind,
    ContraindicationOverride,
    ContraindicationType,
    Evaluation,
    InteractionAcknowledgement,
    Medication,
    MedicationReviewConfirmation,
    PregnancyStatus,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    SafetyAlert,
    VersionedRecord,
)
from planning.pathway.audit import audit_case
from planning.pathway.esign import signing
from planning.pathway.models import Case
from planning.pathway.notify import notify_staff
from planning.pathway.services import available_transitions, case_lock, case_transition
from planning.pathway.states import FINAL_STATES

V = TypeVar("V", bound=VersionedRecord)


@dataclass(frozen=True)
class TrialData:
    drug: str
    dose_mg: Decimal
    weeks: int
    response: str


def _require(actor: User, perm: str, what: str) -> None:
    if not actor.has_perm(perm):
        raise AccessDenied(f"Your role may not {what}.")


def _require_open(case: Case) -> None:
    """Call inside the write's transaction: the state is read from the locked row (never from
    the caller's possibly stale instance), so a case closed meanwhile cannot take the write."""
    if case_lock(case.pk).state in FINAL_STATES:
        raise ValidationFailed({"case": "The case is closed; intake records can no longer change."})


def _next_version(model: type[V], case: Case, correction_reason: str) -> dict[str, Any]:
    """Version numbering and the correction link; a correction must say why."""
    previous = model._default_manager.filter(case=case).order_by("-version").first()
    if previous is not None and not correction_reason.strip():
        raise ValidationFailed(
            {"correction_reason": "This corrects an earlier record: please say what and why."}
        )
    return {
        "version": previous.version + 1 if previous else 1,
        "supersedes": previous,
        "correction_reason": correction_reason.strip(),
    }


def _audit(action: str, actor: User, case: Case, obj: Model, **data: Any) -> None:
    audit_case(
        action=action,
        actor=actor,
        case=case,
        target=f"{obj._meta.model_name}:{obj.pk}",
        data=data,
    )


def consultation_record(
    *,
    case: Case,
    actor: User,
    presenting_symptoms: str,
    symptom_duration_months: int,
    psychotherapy_history: str = "",
    referral_source: str = "",
    trials: Sequence[TrialData] = (),
    correction_reason: str = "",
) -> Consultation:
    _require(actor, "planning.record_intake", "record a consultation")
    with transaction.atomic():
        _require_open(case)
        consultation = Consultation.objects.create(
            case=case,
            recorded_by=actor,
            presenting_symptoms=presenting_symptoms.strip(),
            symptom_duration_months=symptom_duration_months,
            psychotherapy_history=psychotherapy_history.strip(),
            referral_source=referral_source.strip(),
            **_next_version(Consultation, case, correction_reason),
        )
        AntidepressantTrial.objects.bulk_create(
            AntidepressantTrial(consultation=consultation, **vars(t)) for t in trials
        )
        _audit("intake.consultation", actor, case, consultation, version=consultation.version)
    return consultation


@dataclass(frozen=True)
class Vitals:
    systolic_bp: int
    diastolic_bp: int
    heart_rate: int
    spo2_percent: int
    weight_kg: Decimal
    height_cm: Decimal


def evaluation_record(
    *,
    case: Case,
    actor: User,
    vitals: Vitals,
    pregnancy_status: str,
    psychiatric_history: str = "",
    screening: Mapping[str, bool],
    questionnaires: Mapping[str, Mapping[str, object]],
    correction_reason: str = "",
) -> Evaluation:
    """Record an evaluation with its questionnaires; raise alerts the answers call for.

    `questionnaires` maps a definition code to its answers; every problem in any of them is
    reported together (field names `<code>__<item>`) and nothing is saved.
    """
    _require(actor, "planning.record_intake", "record an evaluation")
    if pregnancy_status == PregnancyStatus.NOT_APPLICABLE and intake_rules.pregnancy_applies(case):
        raise ValidationFailed(
            {
                "pregnancy_status": "Pregnancy status is asked of this patient: choose not "
                "pregnant, pregnant, breastfeeding or unknown."
            }
        )
    scored = _score_all(questionnaires)
    with transaction.atomic():
        _require_open(case)  # inside: on PostgreSQL the row lock needs the transaction
        evaluation = Evaluation.objects.create(
            case=case,
            recorded_by=actor,
            pregnancy_status=pregnancy_status,
            psychiatric_history=psychiatric_history.strip(),
            screening=dict(screening),
            **vars(vitals),
            **_next_version(Evaluation, case, correction_reason),
        )
        for definition, result in scored:
            questionnaire_response_store(case, actor, evaluation, definition, result)
        if pregnancy_status == PregnancyStatus.UNKNOWN:
            alert_raise(
                case=case,
                actor=actor,
                message="Pregnancy status unknown at evaluation: for the physician to review",
            )
        _audit(
            "intake.evaluation",
            actor,
            case,
            evaluation,
            version=evaluation.version,
            bmi=str(evaluation.bmi),
        )
    return evaluation


def questionnaire_problems(questionnaires: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """What `evaluation_record` would refuse in the answers alone (field -> message), for a
    form that has other errors too: every problem is shown in one round, not two."""
    try:
        _score_all(questionnaires)
    except ValidationFailed as exc:
        fields = exc.details.get("fields")
        return dict(fields) if isinstance(fields, dict) else {}
    return {}


def _score_all(
    questionnaires: Mapping[str, Mapping[str, object]],
) -> list[tuple[QuestionnaireDefinition, scoring.ScoreResult]]:
    definitions = {
        d.code: d for d in QuestionnaireDefinition.objects.filter(active=True).order_by("-version")
    }
    errors: dict[str, str] = {}
    scored = []
    for code, answers in questionnaires.items():
        definition = definitions.get(code)
        if definition is None:
            errors[code] = f"Unknown questionnaire {code!r}."
            continue
        try:
            scored.append((definition, scoring.score(definition.parsed(), answers)))
        except scoring.AnswerError as exc:
            errors.update({f"{code}__{item}": message for item, message in exc.errors.items()})
    if errors:
        raise ValidationFailed(errors, "Some questionnaire answers are missing or invalid.")
    return scored


def questionnaire_response_store(
    case: Case,
    actor: User | None,
    evaluation: Evaluation | None,
    definition: QuestionnaireDefinition,
    result: scoring.ScoreResult,
    recorded_at: datetime | None = None,
) -> QuestionnaireResponse:
    """`recorded_at` is for records brought from elsewhere (a FHIR import): when answered."""
    response = QuestionnaireResponse.objects.create(
        case=case,
        evaluation=evaluation,
        definition=definition,
        answers=dict(result.answers),
        total=result.total,
        band=result.band or "",
        positive=result.positive,
        alerts=list(result.alerts),
        recorded_by=actor,
        recorded_at=recorded_at or timezone.now(),
    )
    for message in result.alerts:
        alert_raise(case=case, message=message, actor=actor, response=response)
    return response


def alert_raise(
    *,
    case: Case,
    message: str,
    actor: User | None = None,
    response: QuestionnaireResponse | None = None,
) -> SafetyAlert:
    """Raise a safety alert: it blocks the next dose until a physician decides, and the case's
    physician and the on-call address are told (after commit)."""
    alert = SafetyAlert.objects.create(case=case, response=response, message=message[:300])
    audit_case(
        action="alert.raise",
        actor=actor,
        actor_label="" if actor else "system",
        case=case,
        target=f"safetyalert:{alert.pk}",
        data={"message": alert.message},
    )
    notify_staff(
        case=case,
        subject="Safety alert raised",
        body=f"A safety alert was raised at {alert.raised_at:%Y-%m-%d %H:%M}: {alert.message}",
    )
    return alert


def alert_acknowledge(*, case: Case, alert_id: int, actor: User, note: str) -> SafetyAlert:
    _require(actor, "planning.acknowledge_alert", "acknowledge a safety alert")
    if not note.strip():
        raise ValidationFailed({"note": "Please write what was done about this alert."})
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().filter(case=case, pk=alert_id).first()
        if alert is None:
            raise NotFound("No such alert on this case.")
        if alert.acknowledged_at is not None:
            raise ValidationFailed({"note": "This alert was already acknowledged."})
        alert.acknowledged_by, alert.acknowledged_at = actor, timezone.now()
        alert.acknowledgement_note = note.strip()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
        _audit("alert.acknowledge", actor, case, alert, note=alert.acknowledgement_note)
    return alert


ALERT_DECISION_MEANING = "decided on a safety alert as physician"


def alert_decide(
    *,
    case: Case,
    alert_id: int,
    actor: User,
    decision: str,
    reason: str,
    signature: ESignature,
) -> SafetyAlert:
    """A physician's signed decision on an alert: continue, hold or refer (both hold the case
    when it can be held). Until then the alert blocks the next dose."""
    _require(actor, "planning.decide_alert", "decide on a safety alert")
    if decision not in AlertDecision.values:
        raise ValidationFailed({"decision": "Choose continue, hold or refer."})
    if not reason.strip():
        raise ValidationFailed({"reason": "Please write the reason for the decision."})
    with signing(signature, actor=actor, case=case, meaning=ALERT_DECISION_MEANING) as locked:
        alert = SafetyAlert.objects.select_for_update().filter(case=locked, pk=alert_id).first()
        if alert is None:
            raise NotFound("No such alert on this case.")
        if alert.decided_at is not None:
            raise ValidationFailed({"decision": "A physician already decided on this alert."})
        now = timezone.now()
        alert.decision, alert.decision_reason = decision, reason.strip()
        alert.decided_by, alert.decided_at = actor, now
        if alert.acknowledged_at is None:
            alert.acknowledged_by, alert.acknowledged_at = actor, now
            alert.acknowledgement_note = f"Physician's decision: {alert.decision_reason}"
        alert.save()
        _audit(
            "alert.decide", actor, locked, alert, decision=decision, reason=alert.decision_reason
        )
        if decision != AlertDecision.CONTINUE and "hold" in _possible(locked, actor):
            label = AlertDecision(decision).label
            case_transition(
                case_id=locked.pk,
                transition="hold",
                actor=actor,
                reason=f"Safety alert: {label}. {alert.decision_reason}",
            )
    return alert


def _possible(case: Case, actor: User) -> set[str]:
    return {spec.name for spec in available_transitions(case, actor)}


def contraindication_override(
    *, case: Case, code: str, actor: User, reason: str
) -> ContraindicationOverride:
    """A physician proceeds despite a relative contraindication, in writing."""
    _require(actor, "planning.override_contraindication", "override a contraindication")
    if not reason.strip():
        raise ValidationFailed({"reason": "An override needs a written reason."})
    contraindication = ContraindicationType.objects.filter(code=code, active=True).first()
    if contraindication is None:
        raise NotFound("No such contraindication.")
    if contraindication.kind == ContraindicationKind.ABSOLUTE:
        raise ValidationFailed(
            {
                "reason": f"“{contraindication.label}” is absolute: it cannot be overridden. "
                "Mark the case ineligible instead."
            }
        )
    with transaction.atomic():
        _require_open(case)
        if case.overrides.filter(contraindication=contraindication).exists():
            raise ValidationFailed({"reason": "This contraindication is already overridden."})
        override = ContraindicationOverride.objects.create(
            case=case, contraindication=contraindication, reason=reason.strip(), physician=actor
        )
        _audit(
            "contraindication.override", actor, case, override, code=code, reason=override.reason
        )
    return override


def medication_add(
    *, case: Case, actor: User, name: str, dose: str, frequency: str, kind: str
) -> Medication:
    _require(actor, "planning.record_intake", "record medications")
    with transaction.atomic():
        _require_open(case)
        medication = Medication.objects.create(
            case=case,
            recorded_by=actor,
            name=name.strip(),
            dose=dose.strip(),
            frequency=frequency.strip(),
            kind=kind,
        )
        _audit(
            "medication.add",
            actor,
            case,
            medication,
            name=medication.name,
            dose=medication.dose,
            frequency=medication.frequency,
        )
    return medication


def medication_stop(*, case: Case, medication_id: int, actor: User) -> Medication:
    _require(actor, "planning.record_intake", "record medications")
    with transaction.atomic():
        _require_open(case)
        medication = (
            Medication.objects.select_for_update()
            .filter(case=case, pk=medication_id, stopped_at=None)
            .first()
        )
        if medication is None:
            raise NotFound("No such current medication on this case.")
        medication.stopped_by, medication.stopped_at = actor, timezone.now()
        medication.save(update_fields=["stopped_by", "stopped_at"])
        _audit("medication.stop", actor, case, medication, name=medication.name)
    return medication


def medication_list_confirm(*, case: Case, actor: User) -> MedicationReviewConfirmation:
    _require(actor, "planning.record_intake", "confirm the medication list")
    with transaction.atomic():
        _require_open(case)
        count = case.medications.filter(stopped_at=None).count()
        confirmation = MedicationReviewConfirmation.objects.create(
            case=case, medication_count=count, confirmed_by=actor
        )
        _audit("medication.confirm_list", actor, case, confirmation, count=count)
    return confirmation


def interaction_acknowledge(
    *, case: Case, actor: User, rule_code: str, generic: str, note: str
) -> InteractionAcknowledgement:
    _require(actor, "planning.record_intake", "acknowledge an interaction")
    if not note.strip():
        raise ValidationFailed({"note": "Please note how the interaction will be handled."})
    flag = next(
        (
            f
            for f in intake_rules.interaction_flags(case)
            if f.rule_code == rule_code and f.generic == generic
        ),
        None,
    )
    if flag is None:
        raise NotFound("That interaction is not flagged on this case.")
    with transaction.atomic():
        if case.interaction_acks.filter(rule_code=rule_code, generic=generic).exists():
            raise ValidationFailed({"note": "This interaction was already acknowledged."})
        ack = InteractionAcknowledgement.objects.create(
            case=case,
            rule_code=rule_code,
            generic=generic,
            severity=flag.severity,
            note=note.strip(),
            acknowledged_by=actor,
        )
        _audit(
            "interaction.acknowledge",
            actor,
            case,
            ack,
            rule=rule_code,
            medication=generic,
            note=ack.note,
        )
    return ack
