"""Treatment's background work: sealing the approved plan and the REMS form. Idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="planning.treatment.tasks.plan_pdf_make", acks_late=True)
def plan_pdf_make(plan_id: int) -> str:
    from planning.treatment.pdf import plan_pdf_ensure  # services queue this task: import on use

    record = plan_pdf_ensure(plan_id=plan_id)
    return record.sha256 if record else ""


@shared_task(name="planning.treatment.tasks.rems_form_make", acks_late=True)
def rems_form_make(session_id: int) -> str:
    from planning.treatment.rems import rems_form_seal

    return rems_form_seal(session_id=session_id).sha256
