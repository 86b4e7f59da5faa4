"""Line-chart geometry for server-drawn SVG: plain numbers in, coordinates out.

Pure Python (no Django, no database), so a chart can be checked against hand-computed values.
Any layer may use it: the scores chart (planning.followups.charts) and the session vitals chart
(planning.treatment.charts) build on it, and `templates/charts/_line_chart.html` draws the
result once, for the pages and for the sealed case summary alike.

Coordinates are SVG user units (y grows downwards). Scaling is exact (fractions) and each
coordinate is rounded once, half up, to one decimal, so the same data always gives the same
bytes. A domain of zero width (one point, or every point at the same x) puts the points in the
middle of the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "Chart",
    "Frame",
    "HLine",
    "HLineSpec",
    "LinearScale",
    "Point",
    "PointSpec",
    "Series",
    "SeriesSpec",
    "Tick",
    "coordinate",
    "line_chart",
    "spaced_ticks",
]

_TENTH = Decimal("0.1")
Number = int | Fraction


def coordinate(value: Fraction) -> Decimal:
    """One coordinate, rounded half up to one decimal."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Frame:
    """The drawing's size and the margins around the plot area (room for the axis labels)."""

    width: int = 700
    height: int = 330
    left: int = 50
    right: int = 150  # the reference lines' labels stand here, clear of the points
    top: int = 20
    bottom: int = 40

    @property
    def plot_left(self) -> int:
        return self.left

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_top(self) -> int:
        return self.top

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def center_x(self) -> Decimal:
        return coordinate(Fraction(self.plot_left + self.plot_right, 2))

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top


@dataclass(frozen=True)
class LinearScale:
    """Maps [low, high] of the data onto [start, end] of the drawing (end may be < start)."""

    low: Number
    high: Number
    start: int
    end: int

    def __call__(self, value: Number) -> Decimal:
        if self.high == self.low:
            return coordinate(Fraction(self.start + self.end, 2))
        share = Fraction(value - self.low) / Fraction(self.high - self.low)
        return coordinate(self.start + share * (self.end - self.start))


@dataclass(frozen=True)
class PointSpec:
    x: Number
    y: int
    x_label: str  # what x means in words ("8 Jan 2027", "minute 40")
    note: str = ""  # e.g. "baseline" (the template marks a baseline point)
    note_text: str = ""  # the note as shown in the point's title, if not `note` itself


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    label: str
    colour: str
    points: Sequence[PointSpec]
    unit: str = ""
    dashed: bool = False


@dataclass(frozen=True)
class HLineSpec:
    """A horizontal reference line (baseline, threshold, limit) at data value `value`."""

    key: str
    value: Number
    label: str
    colour: str
    label_dy: int = 4  # the label's baseline from the line: 4 centres it, -3 above, 12 below


@dataclass(frozen=True)
class Point:
    x: Decimal
    y: Decimal
    value: int
    x_label: str
    note: str
    title: str


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    points: tuple[Point, ...]
    unit: str
    dashed: bool

    @property
    def polyline(self) -> str:
        """The SVG `points` attribute: "x,y x,y ..."."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class HLine:
    key: str
    value: Number
    y: Decimal
    label: str
    colour: str
    label_dy: int = 4

    @property
    def label_y(self) -> Decimal:
        return self.y + self.label_dy


@dataclass(frozen=True)
class Tick:
    position: Decimal
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    frame: Frame
    series: tuple[Series, ...]
    lines: tuple[HLine, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    y_unit: str = ""
    x_axis: str = ""
    rows: tuple[tuple[str, ...], ...] = field(default=())  # the data-table alternative
    columns: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.frame.width} {self.frame.height}"


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[SeriesSpec],
    x_domain: tuple[Number, Number],
    y_domain: tuple[Number, Number],
    y_ticks: Sequence[Number],
    x_ticks: Sequence[tuple[Number, str]] = (),
    lines: Sequence[HLineSpec] = (),
    y_unit: str = "",
    x_axis: str = "",
    frame: Frame | None = None,
) -> Chart:
    """Place every point, reference line and tick. Values outside a domain are placed outside
    the plot (the caller chooses domains that hold its data)."""
    frame = frame or Frame()
    x_scale = LinearScale(x_domain[0], x_domain[1], frame.plot_left, frame.plot_right)
    y_scale = LinearScale(y_domain[0], y_domain[1], frame.plot_bottom, frame.plot_top)
    placed = tuple(
        Series(
            key=s.key,
            label=s.label,
            colour=s.colour,
            unit=s.unit,
            dashed=s.dashed,
            points=tuple(
                Point(
                    x=x_scale(p.x),
                    y=y_scale(p.y),
                    value=p.y,
                    x_label=p.x_label,
                    note=p.note,
                    title=f"{s.label} {p.y}{_unit(s.unit)}, {p.x_label}"
                    + (f" ({p.note_text or p.note})" if p.note_text or p.note else ""),
                )
                for p in s.points
            ),
        )
        for s in series
    )
    return Chart(
        title=title,
        description=description,
        frame=frame,
        series=placed,
        lines=tuple(
            HLine(h.key, h.value, y_scale(h.value), h.label, h.colour, h.label_dy) for h in lines
        ),
        x_ticks=tuple(Tick(x_scale(value), label) for value, label in x_ticks),
        y_ticks=tuple(Tick(y_scale(value), str(value)) for value in y_ticks),
        y_unit=y_unit,
        x_axis=x_axis,
    )


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def spaced_ticks(
    candidates: Sequence[tuple[Number, str]], domain: tuple[Number, Number], frame: Frame, gap: int
) -> list[tuple[Number, str]]:
    """The x tick labels that fit: in order, each at least `gap` units from the one kept before
    it; the last candidate always shows (it replaces a kept one that is too close)."""
    scale = LinearScale(domain[0], domain[1], frame.plot_left, frame.plot_right)
    kept: list[tuple[Number, str]] = []
    for value, label in candidates:
        if kept and kept[-1][1] == label:
            continue
        if not kept or scale(value) - scale(kept[-1][0]) >= gap:
            kept.append((value, label))
    if candidates and kept[-1] != candidates[-1] and kept[-1][1] != candidates[-1][1]:
        if len(kept) > 1 and scale(candidates[-1][0]) - scale(kept[-1][0]) < gap:
            kept.pop()
        kept.append(candidates[-1])
    return kept
