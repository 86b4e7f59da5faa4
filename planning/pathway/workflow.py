"""Who may perform each transition, what it needs, and its pure guards.

Each guard returns the list of what is missing (empty when satisfied), so a refusal can say
exactly what to do. Later capabilities register guards with `register_guard`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Model

if TYPE_CHECKING:
    from planning.pathway.models import Case

Guard = Callable[["Case"], list[str]]


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    requires_reason: bool = False
    # Shown as a button on the staff case page (false for those triggered by another flow).
    staff_button: bool = True
    # Styling hint for the page: "primary", "neutral" or "danger".
    tone: str = "primary"
    # The permission that allows it for any case, and (for patients) for their own case.
    perm: str = ""
    own_case_perm: str = ""


TRANSITIONS: dict[str, TransitionSpec] = {
    spec.name: spec
    for spec in (
        TransitionSpec(
            "complete_consultation", "Complete consultation", perm="planning.advance_intake"
        ),
        TransitionSpec(
            "complete_evaluation", "Complete evaluation", perm="planning.advance_intake"
        ),
        TransitionSpec(
            "complete_medication_review",
            "Complete medication review",
            perm="planning.advance_intake",
        ),
        TransitionSpec(
            "record_consent",
            "Record signed consent",
            staff_button=False,
            perm="planning.record_consent",
            own_case_perm="planning.record_own_consent",
        ),
        TransitionSpec(
            "approve_plan", "Approve dosing plan", staff_button=False, perm="planning.approve_plan"
        ),
        TransitionSpec(
            "amend_plan",
            "Amend dosing plan",
            requires_reason=True,
            staff_button=False,
            perm="planning.amend_plan",
        ),
        TransitionSpec(
            "require_reconsent",
            "Require re-consent",
            requires_reason=True,
            tone="neutral",
            perm="planning.require_reconsent",
        ),
        TransitionSpec(
            "complete_treatment", "Complete treatment", perm="planning.complete_treatment"
        ),
        TransitionSpec(
            "hold", "Put on hold", requires_reason=True, tone="neutral", perm="planning.hold_case"
        ),
        TransitionSpec("resume", "Resume", tone="neutral", perm="planning.hold_case"),
        TransitionSpec(
            "withdraw",
            "Withdraw",
            requires_reason=True,
            tone="danger",
            perm="planning.withdraw_case",
            own_case_perm="planning.withdraw_own_case",
        ),
        TransitionSpec(
            "mark_ineligible",
            "Mark ineligible",
            requires_reason=True,
            tone="danger",
            perm="planning.mark_ineligible",
        ),
    )
}

_GUARDS: dict[str, list[Guard]] = {name: [] for name in TRANSITIONS}

#: Attribute set on a case locked by the transition service once its guards have passed.
GUARDS_PASSED = "_pathway_guards_passed"


def register_guard(transition: str, guard: Guard) -> Guard:
    """Add a guard to a transition (used by the capabilities that own the data); registering
    the same guard twice has no effect."""
    if guard not in _GUARDS[transition]:
        _GUARDS[transition].append(guard)
    return guard


def missing_for(case: Case, transition: str) -> list[str]:
    missing: list[str] = []
    for guard in _GUARDS.get(transition, []):
        missing.extend(guard(case))
    return missing


def guard_condition(transition: str) -> Callable[[Model], bool]:
    """The django-fsm condition for a transition: true when no guard reports anything.

    The transition service runs the guards once under the row lock and marks the locked
    instance (`GUARDS_PASSED`); the condition then trusts that result instead of running every
    guard again when the transition method executes."""

    def condition(instance: Model) -> bool:
        if getattr(instance, GUARDS_PASSED, None) == transition:
            return True
        return not missing_for(cast("Case", instance), transition)

    condition.__name__ = f"guards_of_{transition}"
    return condition


def permission_for(transition: str) -> Callable[[Model, Any], bool]:
    """The django-fsm `permission=` callable: a role permission, or own-case for patients."""
    spec = TRANSITIONS[transition]

    def allowed(instance: Model, user: Any) -> bool:
        case = cast("Case", instance)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if spec.perm and user.has_perm(spec.perm):
            return True
        if spec.own_case_perm and user.has_perm(spec.own_case_perm):
            return bool(case.patient.user_id is not None and case.patient.user_id == user.pk)
        return False

    allowed.__name__ = f"may_{transition}"
    return allowed


def _resume_needs_origin(case: Case) -> list[str]:
    if not case.held_from:
        return ["the state the case was held from is unknown; a physician must decide"]
    return []


register_guard("resume", _resume_needs_origin)
