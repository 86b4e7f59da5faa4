"""The sealed record of an approved dosing plan, made once per plan version (idempotent)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from planning.treatment.models import BIOAVAILABILITY, DosingPlan
from records.models import RecordKind, SealedRecord
from records.pipeline import RenderRequest
from records.selectors import record_latest
from records.services import RecordOwner, sealed_record_create

SEAL_REASON = "Dosing plan approved by the treating physician, sealed by the clinic"
LAYOUT_VERSION = "plan-1"


def plan_html(plan: DosingPlan) -> str:
    return render_to_string(
        "treatment/pdf/plan_record.html",
        {
            "plan": plan,
            "patient": plan.case.patient,
            "case": plan.case,
            "bioavailability": BIOAVAILABILITY.get(plan.route, ""),
            "previous": plan.supersedes,
            "tz": timezone.get_current_timezone_name(),
        },
    )


def plan_pdf_ensure(*, plan_id: int) -> SealedRecord | None:
    """Render, seal, verify and store the approved plan unless its record exists; a second call
    returns the stored one. A plan that is not approved has no record (None)."""
    existing = record_latest(RecordKind.PLAN, plan_id)
    if existing is not None:
        return existing
    plan = DosingPlan.objects.select_related("case__patient", "protocol", "supersedes").get(
        pk=plan_id
    )
    if not plan.is_approved or plan.approved_at is None:
        return None
    patient = plan.case.patient
    approved = timezone.localtime(plan.approved_at)
    return sealed_record_create(
        owner=RecordOwner(
            kind=RecordKind.PLAN,
            owner_id=plan.pk,
            label=(
                f"dosing plan v{plan.version} (#{plan.pk}), case #{plan.case_id}, "
                f"{patient.full_name} ({patient.mrn}), approved by "
                f"{plan.approver_printed_name} on {approved:%Y-%m-%d %H:%M %Z}"
            ),
            file_name=f"plan-{plan.case_id}-v{plan.version}.pdf",
            case_id=plan.case_id,
            patient_id=patient.pk,
        ),
        render=RenderRequest(
            html=plan_html(plan),
            title=f"Dosing plan v{plan.version} · {patient.full_name}",
            subject=f"Dosing plan #{plan.pk}, case #{plan.case_id}",
            reason=SEAL_REASON,
            metadata={"PathwayPlan": str(plan.pk)},
        ),
        layout_version=LAYOUT_VERSION,
    )
