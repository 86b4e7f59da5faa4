"""The explicit, typed seams through which the layer above (planning) reacts to consent events.

consent never imports planning. Instead planning registers handlers at start-up
(`planning.pathway.consent_bridge`, loaded by `PlanningConfig.ready`). Handlers run inside the
consent service's transaction: if one raises, the whole write (signature, audit entries,
case transition) rolls back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consent.models import (
        ConsentCountersignature,
        ConsentRequest,
        ConsentSignature,
        ConsentVersion,
        ConsentWithdrawal,
    )
    from core.models import User


@dataclass(frozen=True)
class CaseFacts:
    """What consent needs to know about a case, and nothing more."""

    case_id: int
    patient_id: int
    awaiting_consent: bool
    state_label: str


CaseLookup = Callable[[int], "CaseFacts | None"]
SignedHandler = Callable[["ConsentSignature", "User | None"], None]
DeclinedHandler = Callable[["ConsentRequest", "User | None"], None]
WithdrawnHandler = Callable[["ConsentWithdrawal", "User"], None]
PublishedHandler = Callable[["ConsentVersion", "User"], None]
CountersignedHandler = Callable[["ConsentCountersignature", "User"], None]
CaseLock = Callable[[int], object]

_case_lookup: list[CaseLookup] = []
_on_signed: list[SignedHandler] = []
_on_declined: list[DeclinedHandler] = []
_on_withdrawn: list[WithdrawnHandler] = []
_on_published: list[PublishedHandler] = []
_on_countersigned: list[CountersignedHandler] = []
_case_lock: list[CaseLock] = []


def _add(registry: list[Callable[..., object]], handler: Callable[..., object]) -> None:
    """Idempotent: a handler registered twice (e.g. ready() run again in tests) runs once."""
    if handler not in registry:
        registry.append(handler)


def register_case_lookup(lookup: CaseLookup) -> CaseLookup:
    _case_lookup[:] = [lookup]
    return lookup


def register_on_signed(handler: SignedHandler) -> SignedHandler:
    """`handler(signature, patient_user)` runs in the signing transaction."""
    _add(_on_signed, handler)  # type: ignore[arg-type]
    return handler


def register_on_declined(handler: DeclinedHandler) -> DeclinedHandler:
    _add(_on_declined, handler)  # type: ignore[arg-type]
    return handler


def register_on_withdrawn(handler: WithdrawnHandler) -> WithdrawnHandler:
    _add(_on_withdrawn, handler)  # type: ignore[arg-type]
    return handler


def register_on_published(handler: PublishedHandler) -> PublishedHandler:
    """`handler(version, actor)` runs in the publishing transaction (re-consent lives here)."""
    _add(_on_published, handler)  # type: ignore[arg-type]
    return handler


def register_on_countersigned(handler: CountersignedHandler) -> CountersignedHandler:
    """`handler(countersignature, staff)` runs in the countersigning transaction, under the
    case lock: the consent is complete now (the case moves on here)."""
    _add(_on_countersigned, handler)  # type: ignore[arg-type]
    return handler


def register_case_lock(lock: CaseLock) -> CaseLock:
    """`lock(case_id)` takes the case's row lock for the caller's transaction (planning's
    `case_lock`): consent's writes that decide a case's progress run under it."""
    _case_lock[:] = [lock]
    return lock


def lock_case(case_id: int) -> None:
    if not _case_lock:
        raise RuntimeError(
            "No case lock is registered (planning.pathway.consent_bridge not loaded)."
        )
    _case_lock[0](case_id)


def run_countersigned(countersignature: ConsentCountersignature, staff: User) -> None:
    for handler in _on_countersigned:
        handler(countersignature, staff)


def case_facts(case_id: int) -> CaseFacts | None:
    if not _case_lookup:
        raise RuntimeError(
            "No case lookup is registered (planning.pathway.consent_bridge not loaded)."
        )
    return _case_lookup[0](case_id)


def run_signed(signature: ConsentSignature, patient_user: User | None) -> None:
    for handler in _on_signed:
        handler(signature, patient_user)


def run_declined(request: ConsentRequest, patient_user: User | None) -> None:
    for handler in _on_declined:
        handler(request, patient_user)


def run_withdrawn(withdrawal: ConsentWithdrawal, actor: User) -> None:
    for handler in _on_withdrawn:
        handler(withdrawal, actor)


def run_published(version: ConsentVersion, actor: User) -> None:
    for handler in _on_published:
        handler(version, actor)
