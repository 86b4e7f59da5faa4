"""The "Next step" panel of the case page: the one thing to do next on a case, for this user.

Intake, consent, treatment and follow-ups know what their part still needs; they register a
step provider per state (`register_step`) from their wiring, so the pathway never imports
them. The first provider (lowest order) that returns a step wins; when none does, the state's
own forward transition is the next step (or, in a final state, there is none).

A step either lets the user act (a link, or a transition button) or names who else must act.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from planning.pathway import workflow
from planning.pathway.states import CaseState, state_label

if TYPE_CHECKING:
    from planning.pathway.snapshot import CaseSnapshot


# Who acts, in the clinic's words (used for "Waiting for ..." and by the board).
PATIENT = "the patient"
NURSE = "a nurse or physician"
PHYSICIAN = "a physician"
ADMIN = "admin staff"
NOBODY = ""


@dataclass(frozen=True)
class NextStep:
    """`title` names the step ("Record the consultation"); `href` is where to do it (a page),
    or `transition` the pathway step to post; `can_act` says whether this user may do it;
    otherwise `waiting_on` names who must. `detail` adds one sentence; `missing` lists what
    the step still needs."""

    title: str
    waiting_on: str = NOBODY
    can_act: bool = False
    href: str = ""
    transition: str = ""
    post_url: str = ""  # a form posting to another app's endpoint (e.g. send the invitation)
    detail: str = ""
    missing: list[str] = field(default_factory=list)


StepProvider = Callable[["CaseSnapshot"], "NextStep | None"]

_providers: dict[str, list[tuple[int, str, StepProvider]]] = {}

# The transition that moves a case forward from each state.
FORWARD: dict[str, str] = {
    CaseState.CONSULTATION: "complete_consultation",
    CaseState.EVALUATION: "complete_evaluation",
    CaseState.MEDICATION_REVIEW: "complete_medication_review",
    CaseState.CONSENT_PENDING: "record_consent",
    CaseState.PLAN_PENDING: "approve_plan",
    CaseState.ACTIVE: "complete_treatment",
    CaseState.ON_HOLD: "resume",
}

# Who usually performs each forward transition (for "Waiting for ..."), the same person the
# board's rules name (planning.pathway.waiting; tests/planning/pathway/test_next_step.py).
FORWARD_ACTOR: dict[str, str] = {
    "complete_consultation": NURSE,
    "complete_evaluation": NURSE,
    "complete_medication_review": NURSE,
    "record_consent": PATIENT,
    "approve_plan": PHYSICIAN,
    "complete_treatment": NURSE,
    "resume": PHYSICIAN,  # (the board's "Resume or close the case on hold": a physician)
}


def register_step(state: str, key: str, provider: StepProvider, *, order: int = 50) -> None:
    """`provider(snapshot)` returns the step its sub-domain still needs in `state` for
    `snapshot.user`, or None when its part is done; it reads the case through the snapshot
    (the rows the cards read too). Registering a key again replaces it."""
    entries = [e for e in _providers.get(state, []) if e[1] != key]
    entries.append((order, key, provider))
    _providers[state] = sorted(entries, key=lambda e: (e[0], e[1]))


def next_step(snapshot: CaseSnapshot) -> NextStep | None:
    """The next step on the snapshot's case for its user; None in a final state."""
    case = snapshot.case
    for _order, _key, provider in _providers.get(case.state, []):
        step = provider(snapshot)
        if step is not None:
            return step
    transition = FORWARD.get(case.state)
    if transition is None:
        return None
    return forward_step(snapshot, transition)


def forward_step(snapshot: CaseSnapshot, transition: str) -> NextStep:
    case, user = snapshot.case, snapshot.user
    spec = workflow.TRANSITIONS[transition]
    missing = snapshot.missing(transition)
    may = workflow.permission_for(transition)(case, user)
    if missing:
        return NextStep(
            title=f"Before “{spec.label}”",
            waiting_on=FORWARD_ACTOR.get(transition, NURSE),
            can_act=False,
            detail="Still needed:",
            missing=missing,
        )
    if case.state == CaseState.ON_HOLD:
        title = f"Resume the case (it was held from {state_label(case.held_from)})"
    else:
        title = spec.label
    return NextStep(
        title=title,
        waiting_on=FORWARD_ACTOR.get(transition, NURSE),
        can_act=may,
        transition=transition if may else "",
    )


def other_transitions(
    step: NextStep | None, available: list[workflow.TransitionSpec]
) -> list[workflow.TransitionSpec]:
    """The user's staff transitions other than the next step (shown behind "More")."""
    chosen = step.transition if step is not None else ""
    return [spec for spec in available if spec.staff_button and spec.name != chosen]
