"""A session's vital signs over the minutes after dosing started, as chart geometry.

`vitals_charts(readings, ...)` is pure (plain readings in); `session_vitals_charts(session)`
reads one session's readings and the clinic's blood-pressure limits. Two panels share the
minutes axis: blood pressure and heart rate (mmHg and beats/min), and SpO2 (%) when recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from core import charts
from core.models import ClinicSettings

if TYPE_CHECKING:
    from planning.treatment.models import TreatmentSession

__all__ = ["Reading", "VitalsCharts", "session_vitals_charts", "vitals_charts"]

SYSTOLIC, DIASTOLIC, HEART, OXYGEN = "#a3262a", "#d9822b", "#0b4f8a", "#1b7a3a"
LIMIT = "#6b1d1d"
TICK_GAP = 40
SPO2_FRAME = charts.Frame(height=170)


@dataclass(frozen=True)
class Reading:
    minute: int
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int | None = None


@dataclass(frozen=True)
class VitalsCharts:
    pressure: charts.Chart  # blood pressure and heart rate
    oxygen: charts.Chart | None  # SpO2, when any reading has it

    @property
    def empty(self) -> bool:
        return self.pressure.empty


def _floor(value: int, step: int) -> int:
    return value // step * step


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


def vitals_charts(
    readings: Sequence[Reading],
    *,
    title: str = "Vital signs",
    systolic_limit: int | None = None,
    diastolic_limit: int | None = None,
) -> VitalsCharts:
    """Blood pressure and heart rate on 40-200 (widened by 20s to hold every value and limit),
    SpO2 on 80-100 % (widened by 5s); minutes from 0 to the last reading."""
    ordered = sorted(readings, key=lambda r: r.minute)
    domain = (0, ordered[-1].minute if ordered else 0)
    candidates = [(0, "0")] + [(r.minute, f"{r.minute}") for r in ordered]
    frame = charts.Frame()
    values = [v for r in ordered for v in (r.systolic, r.diastolic, r.heart_rate)]
    values += [v for v in (systolic_limit, diastolic_limit) if v is not None]
    low = min([40, *(_floor(v, 20) for v in values)])
    high = max([200, *(_ceil(v, 20) for v in values)])

    def points(attr: str) -> list[charts.PointSpec]:
        return [
            charts.PointSpec(r.minute, getattr(r, attr), f"minute {r.minute}")
            for r in ordered
            if getattr(r, attr) is not None
        ]

    limits = [
        charts.HLineSpec(key, value, label, LIMIT)
        for key, value, label in (
            ("systolic_limit", systolic_limit, f"Systolic limit {systolic_limit}"),
            ("diastolic_limit", diastolic_limit, f"Diastolic limit {diastolic_limit}"),
        )
        if value is not None
    ]
    readings_text = "; ".join(
        f"minute {r.minute}: {r.systolic}/{r.diastolic} mmHg, heart rate {r.heart_rate}"
        + (f", SpO2 {r.spo2} %" if r.spo2 is not None else "")
        for r in ordered
    )
    pressure = charts.line_chart(
        title=f"{title}: blood pressure and heart rate",
        description=(
            f"Readings by minute after dosing started: {readings_text}."
            if ordered
            else "No vital-sign readings recorded yet."
        ),
        series=[
            charts.SeriesSpec("systolic", "Systolic", SYSTOLIC, points("systolic"), "mmHg"),
            charts.SeriesSpec("diastolic", "Diastolic", DIASTOLIC, points("diastolic"), "mmHg"),
            charts.SeriesSpec(
                "heart_rate", "Heart rate", HEART, points("heart_rate"), "/min", dashed=True
            ),
        ],
        x_domain=domain,
        y_domain=(low, high),
        y_ticks=list(range(low, high + 1, 20)),
        x_ticks=charts.spaced_ticks(candidates, domain, frame, TICK_GAP),
        lines=limits,
        y_unit="mmHg · beats/min",
        x_axis="Minutes after dosing started",
        frame=frame,
    )
    pressure = replace(
        pressure,
        columns=("Minute", "Blood pressure (mmHg)", "Heart rate (/min)", "SpO2 (%)"),
        rows=tuple(
            (
                str(r.minute),
                f"{r.systolic}/{r.diastolic}",
                str(r.heart_rate),
                "—" if r.spo2 is None else str(r.spo2),
            )
            for r in ordered
        ),
    )
    oxygen_points = points("spo2")
    if not oxygen_points:
        return VitalsCharts(pressure, None)
    o_low = min([80, *(_floor(p.y, 5) for p in oxygen_points)])
    oxygen = charts.line_chart(
        title=f"{title}: SpO2",
        description="SpO2 by minute after dosing started: "
        + "; ".join(f"minute {p.x}: {p.y} %" for p in oxygen_points)
        + ".",
        series=[charts.SeriesSpec("spo2", "SpO2", OXYGEN, oxygen_points, "%")],
        x_domain=domain,
        y_domain=(o_low, 100),
        y_ticks=list(range(o_low, 101, 5)),
        x_ticks=charts.spaced_ticks(candidates, domain, SPO2_FRAME, TICK_GAP),
        y_unit="SpO2 %",
        x_axis="Minutes after dosing started",
        frame=SPO2_FRAME,
    )
    return VitalsCharts(pressure, oxygen)


def session_vitals_charts(
    session: TreatmentSession, clinic: ClinicSettings | None = None
) -> VitalsCharts:
    """The session's readings (use a prefetched `session.vitals` to keep page queries fixed)
    against the clinic's discharge blood-pressure limits."""
    clinic = clinic or ClinicSettings.current()
    return vitals_charts(
        [
            Reading(v.minute, v.systolic_bp, v.diastolic_bp, v.heart_rate, v.spo2_percent)
            for v in session.vitals.all()
        ],
        title=f"Session {session.number}",
        systolic_limit=clinic.bp_systolic_max,
        diastolic_limit=clinic.bp_diastolic_max,
    )
