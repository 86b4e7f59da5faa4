"""The sealed PDF of an approved dosing plan, made once per plan version (idempotent)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from consent.pipeline import render_and_seal
from planning.pathway.audit import audit_case
from planning.treatment.models import BIOAVAILABILITY, DosingPlan

SEAL_REASON = "Dosing plan approved by the treating physician, sealed by the clinic"


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


def plan_pdf_ensure(*, plan_id: int) -> DosingPlan:
    """Render and seal the approved plan unless its PDF exists; a second call does nothing."""
    plan = DosingPlan.objects.select_related("case__patient", "protocol", "supersedes").get(
        pk=plan_id
    )
    if plan.pdf or not plan.is_approved:
        return plan
    sealed = render_and_seal(
        plan_html(plan),
        title=f"Dosing plan v{plan.version} · {plan.case.patient.full_name}",
        subject=f"Dosing plan #{plan.pk}, case #{plan.case_id}",
        reason=SEAL_REASON,
        metadata={"PathwayPlan": str(plan.pk)},
    )
    with transaction.atomic():
        locked = DosingPlan.objects.select_for_update().get(pk=plan_id)
        if locked.pdf:  # another worker finished first: keep theirs
            return locked
        locked.pdf, locked.pdf_sha256 = sealed, hashlib.sha256(sealed).hexdigest()
        locked.save(update_fields=["pdf", "pdf_sha256"])
        audit_case(
            action="plan.pdf.sealed",
            actor_label="system",
            case=plan.case,
            target=f"dosingplan:{locked.pk}",
            data={"sha256": locked.pdf_sha256},
        )
    return locked
