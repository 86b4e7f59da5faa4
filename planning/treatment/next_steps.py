"""Treatment's part of the case page's "Next step" panel (registered by `wiring.wire`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from core.dates import day
from planning.pathway import next_step as ns
from planning.pathway.states import CaseState

if TYPE_CHECKING:
    from planning.pathway.snapshot import CaseSnapshot


def plan_step(snapshot: CaseSnapshot) -> ns.NextStep:
    """Write the plan, or approve the draft (both physicians' work, on the plan page)."""
    from planning.treatment.models import DosingPlan
    from planning.treatment.selectors import plans_of

    case, user = snapshot.case, snapshot.user
    plans = plans_of(snapshot)  # newest first
    draft = next((p for p in plans if p.status == DosingPlan.Status.DRAFT), None)
    href = reverse("treatment:plan_page", args=[case.pk])
    if draft is None:
        return ns.NextStep(
            title="Write the dosing plan",
            waiting_on=ns.PHYSICIAN,
            can_act=user.has_perm("planning.write_plan"),
            href=href,
        )
    return ns.NextStep(
        title=f"Review and approve plan version {draft.version}",
        waiting_on=ns.PHYSICIAN,
        can_act=user.has_perm("planning.approve_plan"),
        href=href,
        detail="Approving asks for your password again (an electronic signature).",
    )


def session_step(snapshot: CaseSnapshot) -> ns.NextStep | None:
    """The next session still to run; none left means the course can be completed."""
    from planning.treatment.models import TreatmentSession
    from planning.treatment.selectors import sessions_of

    case, user = snapshot.case, snapshot.user
    scheduled = [
        s for s in sessions_of(snapshot) if s.status == TreatmentSession.Status.SCHEDULED
    ]  # by number
    if not scheduled:
        return None
    upcoming, left = scheduled[0], len(scheduled)
    return ns.NextStep(
        title=f"Run session {upcoming.number} on {day(upcoming.scheduled_for)}",
        waiting_on=ns.NURSE,
        can_act=user.has_perm("planning.record_session"),
        href=reverse("treatment:session_page", args=[case.pk, upcoming.pk]),
        detail=f"{left} session{'s' if left != 1 else ''} left in this course.",
    )


def register() -> None:
    ns.register_step(CaseState.PLAN_PENDING, "treatment.plan", plan_step)
    ns.register_step(CaseState.ACTIVE, "treatment.sessions", session_step)
