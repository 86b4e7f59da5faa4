"""The physician's dosing plan: draft, approve with a re-authenticated signature, amend.

Approval is an electronic signature (21 CFR 11.50, 11.70, 11.200): the physician re-enters
the password; the plan records the printed name, time and meaning, and the SHA-256 of its
canonical content; then it never changes. The case moves plan_pending -> active in the same
transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.dates import day
from core.errors import AccessDenied, CaseChanged, NotFound, TransitionRefused, ValidationFailed
from core.esign import ESignature
from core.models import User
from planning.intake import rules as intake_rules
from planning.pathway.audit import audit_case
from planning.pathway.esign import signing
from planning.pathway.models import Case
from planning.pathway.services import case_lock, case_transition
from planning.pathway.states import CaseState
from planning.pathway.workflow import register_guard
from planning.treatment import dosing, hooks
from planning.treatment.models import ClinicProtocol, DoseUnit, DosingPlan
from planning.treatment.services.sessions import sessions_schedule

SIGNATURE_MEANING = "approved as treating physician"


@dataclass(frozen=True)
class PlanInput:
    route: str
    dose_value: Decimal  # in the protocol's unit: mg/kg or mg
    sessions: int
    frequency: str
    start_date: date
    monitoring_requirements: str = ""
    cost_per_session_cents: int | None = None  # None: the protocol's standard cost
    infusion_minutes: int | None = None
    concurrent_psychotherapy: str = ""
    override_reason: str = ""


def _require_physician(actor: User, perm: str, what: str) -> None:
    if not actor.has_perm(perm):
        raise AccessDenied(f"Only a physician may {what}.")


def plan_draft_save(*, case: Case, actor: User, data: PlanInput) -> DosingPlan:
    """Create or update the case's draft plan after checking it against the protocol."""
    _require_physician(actor, "planning.write_plan", "write a dosing plan")
    with transaction.atomic():
        if case_lock(case.pk).state != CaseState.PLAN_PENDING:
            raise TransitionRefused("A plan can be written while the case is waiting for one.")
        draft = case.plans.select_for_update().filter(status=DosingPlan.Status.DRAFT).first()
        fields = _validated_fields(case, data, amending=draft is not None and draft.version > 1)
        if draft is None:
            previous = case.plans.order_by("-version").first()
            draft = DosingPlan(
                case=case,
                created_by=actor,
                supersedes=previous,
                version=previous.version + 1 if previous else 1,
            )
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.save()
        audit_case(
            action="plan.draft",
            actor=actor,
            case=case,
            target=f"dosingplan:{draft.pk}",
            data=_plain(fields),
        )
    return draft


def _validated_fields(case: Case, data: PlanInput, *, amending: bool) -> dict[str, Any]:
    protocol = ClinicProtocol.objects.filter(route=data.route, active=True).first()
    if protocol is None:
        raise ValidationFailed({"route": "The clinic has no active protocol for this route."})
    errors: dict[str, str] = {}
    dose_mg, weight, per_kg = _dose(case, protocol, data, errors)
    if not protocol.sessions_min <= data.sessions <= protocol.sessions_max:
        errors["sessions"] = (
            f"The protocol allows {protocol.sessions_min} to {protocol.sessions_max} sessions."
        )
    if data.frequency not in protocol.frequency_list:
        errors["frequency"] = "Choose one of the protocol's frequencies: " + ", ".join(
            protocol.frequency_list
        )
    if data.start_date < timezone.localdate() and not amending:
        errors["start_date"] = (
            f"The start date cannot be in the past: the earliest is today, "
            f"{day(timezone.localdate())}."
        )
    age = case.patient.age_on(data.start_date)
    check = dosing.check_dose(
        protocol, dose_value=data.dose_value, patient_age=age, first_dose_mg=dose_mg or Decimal(0)
    )
    if check.needs_override and not data.override_reason.strip():
        errors["override_reason"] = (
            "A written reason is required: " + "; ".join(check.needs_override) + "."
        )
    if errors:
        raise ValidationFailed(errors)
    cost = (
        protocol.cost_per_session_cents
        if data.cost_per_session_cents is None
        else data.cost_per_session_cents
    )
    return {
        "protocol": protocol,
        "route": data.route,
        "dose_mg_per_kg": per_kg,
        "weight_kg_used": weight,
        "dose_mg": dose_mg,
        "sessions": data.sessions,
        "infusion_minutes": data.infusion_minutes or protocol.default_infusion_minutes,
        "frequency": data.frequency,
        "start_date": data.start_date,
        "monitoring_requirements": data.monitoring_requirements.strip()
        or default_monitoring(protocol),
        "concurrent_psychotherapy": data.concurrent_psychotherapy.strip(),
        "cost_per_session_cents": cost,
        "total_cost_cents": dosing.total_cost_cents(cost, data.sessions),
        "override_reason": data.override_reason.strip() if check.needs_override else "",
    }


def default_monitoring(protocol: ClinicProtocol) -> str:
    return (
        f"Blood pressure and heart rate before dosing and at minutes "
        f"{protocol.vital_sign_minutes.replace(',', ', ')}; observation for at least "
        f"{protocol.minimum_observation_minutes} minutes and until stable; escort home; no "
        "driving until the next day."
    )


def _dose(
    case: Case, protocol: ClinicProtocol, data: PlanInput, errors: dict[str, str]
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(mg, weight used, mg/kg): mg/kg routes use the latest evaluated weight."""
    if protocol.dose_unit != DoseUnit.MG_PER_KG:
        return data.dose_value, None, None
    evaluation = intake_rules.latest_evaluation(case)
    if evaluation is None:
        errors["dose_value"] = "A weight-based dose needs an evaluation with the weight."
        return None, None, None
    mg = dosing.mg_from_mg_per_kg(data.dose_value, evaluation.weight_kg)
    return mg, evaluation.weight_kg, data.dose_value


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    out = {k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in fields.items()}
    out["protocol"] = fields["protocol"].route
    return out


# What a physician decides in a plan; carried into an amendment and bound by the signature.
PLAN_FIELDS = (
    "route",
    "dose_mg_per_kg",
    "weight_kg_used",
    "dose_mg",
    "infusion_minutes",
    "sessions",
    "frequency",
    "start_date",
    "monitoring_requirements",
    "concurrent_psychotherapy",
    "cost_per_session_cents",
    "total_cost_cents",
    "override_reason",
)


def plan_content(plan: DosingPlan) -> dict[str, Any]:
    """The canonical content the approval signs (and the hash binds)."""
    names = ["case_id", "version", *PLAN_FIELDS, "amendment_reason", "supersedes_id"]
    content = {name: getattr(plan, name) for name in names}
    content["protocol"] = plan.protocol.snapshot()
    content["consent"] = plan.consent_reference
    return {k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in content.items()}


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_approve(*, case: Case, plan_id: int, actor: User, signature: ESignature) -> DosingPlan:
    """Sign the draft (a first plan or an amended version): verify the electronic signature,
    freeze, hash, and move the case to active."""
    _require_physician(actor, "planning.approve_plan", "approve a dosing plan")
    # the case first, then the plan: one lock order everywhere
    with signing(signature, actor=actor, case=case, meaning=SIGNATURE_MEANING) as locked:
        plan = DosingPlan.objects.select_for_update().filter(pk=plan_id, case=case).first()
        if plan is None:
            raise NotFound("No such plan on this case.")
        if plan.is_approved:
            raise CaseChanged(
                f"This plan was already approved by {plan.approver_printed_name} "
                f"at {plan.approved_at:%Y-%m-%d %H:%M}. Reload the page."
            )
        if locked.state != CaseState.PLAN_PENDING:
            raise TransitionRefused("A plan can be approved while the case is waiting for one.")
        plan.consent_reference = _consent_reference(case)
        plan.protocol_snapshot = plan.protocol.snapshot()
        plan.content_sha256 = content_hash(plan_content(plan))
        plan.status = DosingPlan.Status.APPROVED
        plan.approved_by, plan.approved_at = actor, timezone.now()
        plan.approver_printed_name = actor.get_full_name() or actor.username
        plan.signature_meaning = SIGNATURE_MEANING
        plan.save()
        audit_case(
            action="plan.approve",
            actor=actor,
            case=case,
            target=f"dosingplan:{plan.pk}",
            data={
                "sha256": plan.content_sha256,
                "meaning": SIGNATURE_MEANING,
                "version": plan.version,
            },
        )
        case_transition(case_id=case.pk, transition="approve_plan", actor=actor)
        sessions_schedule(plan=plan)
        hooks.plan_approved(plan)
        transaction.on_commit(lambda: _queue_plan_pdf(plan.pk))
    return plan


def _queue_plan_pdf(plan_id: int) -> None:
    from planning.treatment.tasks import plan_pdf_make

    plan_pdf_make.delay(plan_id)


def _consent_reference(case: Case) -> dict[str, Any]:
    """The current, unwithdrawn signature the plan rests on (empty if none: the dosing gates
    then refuse every dose of this plan)."""
    from planning.treatment.gates import current_signature

    signature = current_signature(case.pk)
    if signature is None:
        return {}
    return {
        "signature_id": signature.pk,
        "version_label": signature.version.label,
        "document_sha256": signature.document_sha256,
        "signed_at": signature.signed_at.isoformat(),
    }


def plan_amend(*, case: Case, actor: User, reason: str) -> DosingPlan:
    """Start a new version from the approved plan; the case waits for its approval."""
    _require_physician(actor, "planning.amend_plan", "amend a dosing plan")
    if not reason.strip():
        raise ValidationFailed({"reason": "Please say why the plan is amended."})
    with transaction.atomic():
        case_transition(case_id=case.pk, transition="amend_plan", actor=actor, reason=reason)
        current = case.plans.filter(status=DosingPlan.Status.APPROVED).order_by("-version").first()
        if current is None:
            raise TransitionRefused("There is no approved plan to amend.")
        draft = DosingPlan.objects.create(
            case=case,
            version=current.version + 1,
            supersedes=current,
            created_by=actor,
            amendment_reason=reason.strip(),
            **_carried_over(current),
        )
        audit_case(
            action="plan.amend",
            actor=actor,
            case=case,
            target=f"dosingplan:{draft.pk}",
            data={"from_version": current.version, "reason": reason.strip()},
        )
    return draft


def _carried_over(plan: DosingPlan) -> dict[str, Any]:
    names = ["protocol", *PLAN_FIELDS]
    return {name: getattr(plan, name) for name in names}


def plan_renew(*, case: Case, actor: User) -> DosingPlan:
    """After re-consent the approved plan rests on a signature that is no longer current: start
    a new version from it, to be signed again on the new signature."""
    _require_physician(actor, "planning.write_plan", "re-approve a dosing plan")
    with transaction.atomic():
        locked = case_lock(case.pk)
        if locked.state != CaseState.PLAN_PENDING:
            raise TransitionRefused("A plan can be re-approved while the case waits for a plan.")
        if locked.plans.filter(status=DosingPlan.Status.DRAFT).exists():
            raise ValidationFailed({"plan": "There is already a draft: review and sign it."})
        current = (
            locked.plans.filter(status=DosingPlan.Status.APPROVED).order_by("-version").first()
        )
        if current is None:
            raise ValidationFailed({"plan": "There is no approved plan to start from."})
        reason = "Re-approval on the patient's new consent signature"
        draft = DosingPlan.objects.create(
            case=locked,
            version=current.version + 1,
            supersedes=current,
            created_by=actor,
            amendment_reason=reason,
            **_carried_over(current),
        )
        audit_case(
            action="plan.renew",
            actor=actor,
            case=locked,
            target=f"dosingplan:{draft.pk}",
            data={"from_version": current.version},
        )
    return draft


def plan_guard(case: Case) -> list[str]:
    """approve_plan needs the latest plan approved (plan_approve signs it first), on the
    patient's current consent signature (after re-consent the plan is signed again)."""
    from planning.treatment.gates import current_signature

    latest = case.plans.order_by("-version").first()
    if latest is None or not latest.is_approved:
        return ["a dosing plan approved by a physician with a re-entered password"]
    signature = current_signature(case.pk)
    if signature is not None and latest.consent_reference.get("signature_id") != signature.pk:
        return [f"plan v{latest.version} approved again on the new consent signature"]
    return []


register_guard("approve_plan", plan_guard)
