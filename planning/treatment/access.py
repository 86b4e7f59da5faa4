"""Reaching a dosing plan, a sealed plan PDF, a session or its REMS form (see
`planning.pathway.access`): 404 for what is not this case's, and one audit entry per read."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from core.access import Action
from planning.pathway.access import audit_case_access, reach_case
from planning.treatment.models import DosingPlan, TreatmentSession


def access_plan(user: Any, case_id: int, plan_id: int, *, action: str | Action) -> DosingPlan:
    return _plan(user, case_id, plan_id, action, sealed=False)


def access_plan_pdf(user: Any, case_id: int, plan_id: int) -> DosingPlan:
    """A sealed plan, for its download: the download is audited here (`plan.pdf`), so the view
    that hands out the bytes writes nothing more."""
    return _plan(user, case_id, plan_id, "plan.pdf", sealed=True)


def _plan(
    user: Any, case_id: int, plan_id: int, action: str | Action, *, sealed: bool
) -> DosingPlan:
    case, act = reach_case(user, case_id, action)
    plans = case.plans.filter(pk=plan_id)
    plan = (plans.exclude(pdf=None) if sealed else plans).first()
    if plan is None:
        raise Http404("No such plan, or its sealed PDF is not ready yet.")
    plan.case = case
    data = {"sha256": plan.pdf_sha256} if plan.pdf_sha256 else None
    audit_case_access(user, act, case, target=f"dosingplan:{plan.pk}", data=data)
    return plan


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
