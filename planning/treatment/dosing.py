"""Dose arithmetic and protocol checks. Pure: it checks the physician's numbers, it never
proposes one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from planning.treatment.models import ClinicProtocol, DoseUnit

MG_STEP = Decimal("0.01")


def mg_from_mg_per_kg(mg_per_kg: Decimal, weight_kg: Decimal) -> Decimal:
    """Total mg for a weight-based dose, rounded half-up to 0.01 mg (Decimal throughout)."""
    return (mg_per_kg * weight_kg).quantize(MG_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DoseCheck:
    """Why a written override is needed (empty: within the protocol)."""

    needs_override: tuple[str, ...]


def check_dose(
    protocol: ClinicProtocol, *, dose_value: Decimal, patient_age: int, first_dose_mg: Decimal
) -> DoseCheck:
    """`dose_value` is in the protocol's unit (mg/kg or mg)."""
    reasons: list[str] = []
    unit = "mg/kg" if protocol.dose_unit == DoseUnit.MG_PER_KG else "mg"
    low, high = protocol.dose_min, protocol.dose_max
    if (low is not None and dose_value < low) or (high is not None and dose_value > high):
        reasons.append(
            f"the dose {dose_value} {unit} is outside the clinic protocol "
            f"({low}-{high} {unit} for {protocol.get_route_display().lower()})"
        )
    age_limit, start_max = protocol.older_patient_age, protocol.older_patient_start_max_mg
    if (
        age_limit
        and start_max is not None
        and patient_age >= age_limit
        and first_dose_mg > start_max
    ):
        reasons.append(
            f"patients aged {age_limit} or over start at {start_max} mg at most "
            f"(this plan starts at {first_dose_mg} mg)"
        )
    return DoseCheck(tuple(reasons))


def total_cost_cents(cost_per_session_cents: int, sessions: int) -> int:
    return cost_per_session_cents * sessions


def device_count(dose_mg: Decimal, device_mg: int | None) -> int | None:
    """Number of devices a fixed dose takes (esketamine: 28 mg each)."""
    if not device_mg:
        return None
    whole, rest = divmod(dose_mg, Decimal(device_mg))
    return int(whole) + (1 if rest else 0)
