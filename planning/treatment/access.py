"""Reaching a dosing plan, a sealed plan PDF, a session or its REMS form (see
`planning.pathway.access`): 404 for what is not this case's, and one audit entry per read."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from core.access import Action
from planning.pathway.access import audit_case_access, reach_case
from planning.treatment.models import DosingPlan, TreatmentSession
from records.models import RecordKind, SealedRecord
from records.selectors import record_latest


def access_plan(user: Any, case_id: int, plan_id: int, *, action: str | Action) -> DosingPlan:
    case, act = reach_case(user, case_id, action)
    plan = case.plans.filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan on this case.")
    plan.case = case
    audit_case_access(user, act, case, target=f"dosingplan:{plan.pk}")
    return plan


def access_plan_pdf(user: Any, case_id: int, plan_id: int) -> SealedRecord:
    """A sealed plan, for its download: the download is audited here (`plan.pdf`), so the view
    that hands out the bytes writes nothing more."""
    case, act = reach_case(user, case_id, "plan.pdf")
    record = (
        record_latest(RecordKind.PLAN, plan_id) if case.plans.filter(pk=plan_id).exists() else None
    )
    if record is None:
        raise Http404("No such plan, or its sealed PDF is not ready yet.")
    data = {"sha256": record.sha256, "version": record.version}
    audit_case_access(user, act, case, target=f"dosingplan:{plan_id}", data=data)
    return record


def access_session(
    user: Any, case_id: int, session_id: int, *, action: str | Action
) -> TreatmentSession:
    return _session(user, case_id, session_id, action, rems=False)


def access_rems_form(user: Any, case_id: int, session_id: int) -> TreatmentSession:
    """A signed-off esketamine session, for its REMS form download (audited here once)."""
    return _session(user, case_id, session_id, "session.rems_pdf", rems=True)


def _session(
    user: Any, case_id: int, session_id: int, action: str | Action, *, rems: bool
) -> TreatmentSession:
    case, act = reach_case(user, case_id, action)
    sessions = case.sessions.select_related("plan__protocol").filter(pk=session_id)
    session = (sessions.exclude(rems_due_at=None) if rems else sessions).first()
    if session is None:
        raise Http404(
            "Only signed-off esketamine sessions have a REMS monitoring form."
            if rems
            else "No such session."
        )
    session.case = case
    audit_case_access(user, act, case, target=f"session:{session.pk}")
    return session
