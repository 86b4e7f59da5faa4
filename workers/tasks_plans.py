"""Thin tasks for the dosing plan: take an ID, call one service."""

from __future__ import annotations

from celery import shared_task

from planning.plan_pdf import plan_pdf_ensure


@shared_task(name="workers.tasks.plan_pdf_make", acks_late=True)
def plan_pdf_make(plan_id: int) -> str:
    return plan_pdf_ensure(plan_id=plan_id).pdf_sha256
