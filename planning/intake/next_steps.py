"""Intake's part of the case page's "Next step" panel (registered by `wiring.wire`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from planning.intake import selectors
from planning.pathway import next_step as ns
from planning.pathway.states import NON_FINAL_STATES, CaseState

if TYPE_CHECKING:
    from core.models import User
    from planning.pathway.models import Case
    from planning.pathway.snapshot import CaseSnapshot


def _intake_step(case: Case, user: User, title: str, url_name: str) -> ns.NextStep:
    return ns.NextStep(
        title=title,
        waiting_on=ns.NURSE,
        can_act=user.has_perm("planning.record_intake"),
        href=reverse(url_name, args=[case.pk]),
    )


def consultation_step(snapshot: CaseSnapshot) -> ns.NextStep | None:
    if selectors.consultation_of(snapshot) is not None:
        return None
    return _intake_step(
        snapshot.case, snapshot.user, "Record the consultation", "intake:consultation"
    )


def evaluation_step(snapshot: CaseSnapshot) -> ns.NextStep | None:
    case, user = snapshot.case, snapshot.user
    if not selectors.evaluations_of(snapshot):
        return _intake_step(case, user, "Record the evaluation", "intake:evaluation")
    return None


_ALERT_DETAIL = {
    CaseState.EVALUATION: "A physician decides each alert before the evaluation can be completed.",
    CaseState.ACTIVE: "A physician decides each alert before the next dose.",
}


def alerts_step(snapshot: CaseSnapshot) -> ns.NextStep | None:
    """Open safety alerts come first in every open state, as on the board (its first rule)."""
    alerts = len(selectors.open_alerts_of(snapshot))
    if not alerts:
        return None
    return ns.NextStep(
        title=f"Review the open safety alert{'s' if alerts > 1 else ''} ({alerts})",
        waiting_on=ns.PHYSICIAN,
        can_act=snapshot.user.has_perm("planning.decide_alert"),
        href="#open-alerts",
        detail=_ALERT_DETAIL.get(snapshot.case.state, "A physician decides each alert."),
    )


def medication_step(snapshot: CaseSnapshot) -> ns.NextStep | None:
    if selectors.confirmation_of(snapshot) is not None:
        return None
    return _intake_step(
        snapshot.case,
        snapshot.user,
        "Review the medications and confirm the list",
        "intake:medications",
    )


def register() -> None:
    for state in NON_FINAL_STATES:
        ns.register_step(state, "intake.alerts", alerts_step, order=10)
    ns.register_step(CaseState.CONSULTATION, "intake.consultation", consultation_step)
    ns.register_step(CaseState.EVALUATION, "intake.evaluation", evaluation_step)
    ns.register_step(CaseState.MEDICATION_REVIEW, "intake.medications", medication_step)
