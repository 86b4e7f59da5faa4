"""The treatment gates: what must hold before a dose is recorded or a session signed off.

Pure reads, called by the session services under the case's row lock (never only by a view),
so two people acting at once cannot slip a dose past a gate that the other just closed. Each
problem is a sentence saying what is missing; an empty list means the gate holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from consent.models import ConsentVersion
from consent.selectors import treatment_version
from core.dates import day
from core.models import ClinicSettings
from planning.pathway.consent_bridge import unwithdrawn_signature
from planning.pathway.states import CaseState, state_label

if TYPE_CHECKING:
    from consent.models import ConsentSignature
    from planning.pathway.models import Case
    from planning.treatment.models import DosingPlan, TreatmentSession


@dataclass(frozen=True)
class Basis:
    """What a dose rests on: the plan in force and the consent signature it was approved on."""

    plan: DosingPlan | None
    signature: ConsentSignature | None
    problems: list[str]


def current_signature(case_id: int) -> ConsentSignature | None:
    """The case's latest signature, unless withdrawn since or older than the treatment
    document's last material change (a minor version needs no new signature: README)."""
    version = treatment_version()
    signature = unwithdrawn_signature(case_id) if version is not None else None
    if version is None or signature is None:
        return None
    material = (
        ConsentVersion.objects.published()
        .filter(document=version.document, material_change=True)
        .order_by("-published_at", "-pk")
        .first()
    )
    published = signature.version.source.published_at  # a translation: its source's date
    if (
        material is not None
        and material.published_at
        and published
        and published < material.published_at
    ):
        return None
    return signature


def plan_in_force(case: Case) -> DosingPlan | None:
    """The latest plan version, if it is approved (a newer draft means none is in force)."""
    latest: DosingPlan | None = case.plans.order_by("-version").first()
    return latest if latest is not None and latest.is_approved else None


def treatment_basis(case: Case) -> Basis:
    problems: list[str] = []
    if case.state != CaseState.ACTIVE:
        problems.append(f"the case in active treatment (it is {state_label(case.state)})")
    signature = current_signature(case.pk)
    if signature is None:
        problems.append(
            "the patient's signature on the current consent version (none since its last "
            "material change, or it was withdrawn)"
        )
    plan = plan_in_force(case)
    if plan is None:
        problems.append("an approved dosing plan in force")
    elif signature is not None and plan.consent_reference.get("signature_id") != signature.pk:
        problems.append(
            f"plan v{plan.version} approved on the current consent signature "
            "(re-approve the plan after re-consent)"
        )
    return Basis(plan=plan, signature=signature, problems=problems)


def session_problems(case: Case, session: TreatmentSession, basis: Basis) -> list[str]:
    """The gates shared by dosing and sign-off."""
    problems = list(basis.problems)
    if basis.plan is not None and session.plan_id != basis.plan.pk:
        problems.append(
            f"a session of the plan in force (this one belongs to plan "
            f"v{session.plan.version}, the plan in force is v{basis.plan.version})"
        )
    early = ClinicSettings.current().session_early_days
    days_before = (session.scheduled_for - timezone.localdate()).days
    if days_before > early:
        problems.append(
            f"the session date: it is scheduled for {day(session.scheduled_for)}, "
            f"{_days(days_before)} away; the clinic allows at most {_days(early)} early"
        )
    return problems


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def predose_problems(case: Case, session: TreatmentSession, clinic: ClinicSettings) -> list[str]:
    """The pre-dose checklist, the vitals limits and open safety alerts."""
    problems: list[str] = []
    if session.predose_recorded_at is None:
        problems.append("the pre-dose checklist and vitals")
    else:
        if not session.predose_escort_confirmed:
            problems.append("an escort home confirmed")
        bp = f"{session.pre_systolic}/{session.pre_diastolic}"
        if vitals_above_limits(session, clinic) and session.bp_clearance_for != bp:
            problems.append(
                f"a physician's clearance: pre-dose blood pressure {bp} is above the clinic's "
                f"limit {clinic.predose_systolic_max}/{clinic.predose_diastolic_max}"
            )
    alerts = list(case.alerts.filter(decided_at=None).order_by("raised_at"))
    if alerts:
        listed = "; ".join(f"“{a.message}” (raised {a.raised_at:%Y-%m-%d %H:%M})" for a in alerts)
        problems.append(f"a physician's decision on the open safety alert(s): {listed}")
    return problems


def vitals_above_limits(session: TreatmentSession, clinic: ClinicSettings) -> bool:
    if session.pre_systolic is None or session.pre_diastolic is None:
        return False
    return (
        session.pre_systolic > clinic.predose_systolic_max
        or session.pre_diastolic > clinic.predose_diastolic_max
    )


def dose_deviates(planned_mg: Decimal, given_mg: Decimal, clinic: ClinicSettings) -> bool:
    """True when the dose differs from the plan's by more than the clinic's tolerance."""
    allowed = planned_mg * clinic.dose_tolerance_percent / Decimal(100)
    return abs(given_mg - planned_mg) > allowed


def deviation_problems(
    session: TreatmentSession, plan: DosingPlan, given_mg: Decimal, clinic: ClinicSettings
) -> list[str]:
    if not dose_deviates(plan.dose_mg, given_mg, clinic):
        return []
    if session.deviation_dose_mg == given_mg and session.deviation_reason:
        return []
    return [
        f"a physician's recorded deviation: {given_mg} mg differs from the approved "
        f"{plan.dose_mg} mg (tolerance {clinic.dose_tolerance_percent} %)"
    ]


def dose_problems(
    case: Case, session: TreatmentSession, given_mg: Decimal
) -> tuple[Basis, list[str]]:
    """Every gate before a dose, in the order a person would fix them."""
    clinic = ClinicSettings.current()
    basis = treatment_basis(case)
    problems = session_problems(case, session, basis)
    problems += predose_problems(case, session, clinic)
    problems += deviation_problems(session, session.plan, given_mg, clinic)
    return basis, problems


def refusal(what: str, problems: list[str]) -> str:
    return f"{what} is refused. It needs: " + "; ".join(problems) + "."
