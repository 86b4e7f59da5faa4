"""Events of the treatment phase that the layer above (follow-ups) reacts to, without treatment
importing it. Handlers run inside the service's transaction: if one raises, the write rolls back."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.models import User
    from planning.pathway.models import Case
    from planning.treatment.models import DosingPlan, TreatmentSession

PlanHandler = Callable[["DosingPlan"], None]
CaseHandler = Callable[["Case", str], None]
SessionHandler = Callable[["TreatmentSession", "User | None"], None]

_on_plan_approved: dict[str, PlanHandler] = {}
_on_session_signed_off: dict[str, SessionHandler] = {}
_on_rems_submitted: dict[str, SessionHandler] = {}
_on_sessions_suspended: dict[str, CaseHandler] = {}
_on_sessions_resumed: dict[str, PlanHandler] = {}


def register_on_plan_approved(key: str, handler: PlanHandler) -> None:
    _on_plan_approved[key] = handler


def register_on_session_signed_off(key: str, handler: SessionHandler) -> None:
    _on_session_signed_off[key] = handler


def register_on_rems_submitted(key: str, handler: SessionHandler) -> None:
    _on_rems_submitted[key] = handler


def plan_approved(plan: DosingPlan) -> None:
    for handler in _on_plan_approved.values():
        handler(plan)


def session_signed_off(session: TreatmentSession, actor: User | None) -> None:
    for handler in _on_session_signed_off.values():
        handler(session, actor)


def rems_submitted(session: TreatmentSession, actor: User | None) -> None:
    for handler in _on_rems_submitted.values():
        handler(session, actor)


def register_on_sessions_suspended(key: str, handler: CaseHandler) -> None:
    """`handler(case, why)`: the case left active treatment; its sessions wait or are gone."""
    _on_sessions_suspended[key] = handler


def sessions_suspended(case: Case, why: str) -> None:
    for handler in _on_sessions_suspended.values():
        handler(case, why)


def register_on_sessions_resumed(key: str, handler: PlanHandler) -> None:
    """`handler(plan)`: back in active treatment; the plan's still-due sessions are scheduled."""
    _on_sessions_resumed[key] = handler


def sessions_resumed(plan: DosingPlan) -> None:
    for handler in _on_sessions_resumed.values():
        handler(plan)
