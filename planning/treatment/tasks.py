"""Treatment's background work: sealing the approved plan's PDF. Idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="planning.treatment.tasks.plan_pdf_make", acks_late=True)
def plan_pdf_make(plan_id: int) -> str:
    from planning.treatment.pdf import plan_pdf_ensure  # services queue this task: import on use

    return plan_pdf_ensure(plan_id=plan_id).pdf_sha256
