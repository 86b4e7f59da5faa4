"""Dose arithmetic, rounding and protocol checks, by hand-worked examples."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from planning.treatment.dosing import check_dose, device_count, mg_from_mg_per_kg, total_cost_cents
from planning.treatment.models import ClinicProtocol

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("per_kg", "weight", "mg"),
    [
        ("0.5", "72.5", "36.25"),
        ("0.5", "80.0", "40.00"),
        ("0.333", "70.1", "23.34"),  # 23.3433 rounds down
        ("0.125", "70.2", "8.78"),  # 8.775 rounds half-up
        ("0.75", "150.0", "112.50"),
    ],
)
def test_mg_from_mg_per_kg(per_kg: str, weight: str, mg: str) -> None:
    result = mg_from_mg_per_kg(D(per_kg), D(weight))
    assert result == D(mg) and str(result) == mg


@pytest.mark.parametrize(
    ("route", "value", "age", "first_mg", "needs"),
    [
        ("iv", "0.5", 40, "36", 0),
        ("iv", "0.1", 40, "7", 0),
        ("iv", "0.75", 40, "52", 0),
        ("iv", "0.8", 40, "56", 1),
        ("iv", "0.09", 40, "6", 1),
        ("intranasal_esketamine", "56", 40, "56", 0),
        ("intranasal_esketamine", "84", 64, "84", 0),
        ("intranasal_esketamine", "112", 40, "112", 1),
        ("intranasal_esketamine", "28", 70, "28", 0),
        ("intranasal_esketamine", "56", 65, "56", 1),  # 65 or older start at 28 mg
        ("intranasal_esketamine", "112", 70, "112", 2),
    ],
)
def test_range_and_age_rules(route, value, age, first_mg, needs) -> None:
    protocol = ClinicProtocol.objects.get(route=route)
    check = check_dose(protocol, dose_value=D(value), patient_age=age, first_dose_mg=D(first_mg))
    assert len(check.needs_override) == needs


def test_devices_and_costs() -> None:
    assert device_count(D("56"), 28) == 2
    assert device_count(D("84"), 28) == 3
    assert device_count(D("30"), 28) == 2
    assert device_count(D("40"), None) is None
    assert total_cost_cents(45000, 6) == 270000


def test_routes_without_a_clinic_range_are_inactive() -> None:
    for route in ("im", "oral_sublingual"):
        protocol = ClinicProtocol.objects.get(route=route)
        assert not protocol.active and protocol.dose_min is None
