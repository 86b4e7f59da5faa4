"""PHQ-9 and GAD-7 over time: the chart's geometry and response/remission in words.

Pure: plain scores in (`Score`), a `ScoreProgress` out; no database. The reading of a case's
scores is `planning.followups.progress`. Definitions (`../shared/DOMAIN.md`): the baseline is the
score recorded at evaluation; response is a fall of 50 % or more from it (the same rule is
drawn for GAD-7); remission is PHQ-9 below 5 (DOMAIN.md defines no GAD-7 remission, so its
chart has no remission line).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import dateformat

from core import charts
from planning.intake.scoring import treatment_response

__all__ = ["SCALES", "Scale", "Score", "ScoreProgress", "score_progress"]

BASELINE_COLOUR = "#5f6b76"
RESPONSE_COLOUR = "#b35c00"
REMISSION_COLOUR = "#1b7a3a"
SCORE_COLOUR = "#0b4f8a"
TICK_GAP = 70  # SVG units between two date labels


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    maximum: int
    remission_below: int | None


SCALES: dict[str, Scale] = {
    "phq9": Scale("phq9", "PHQ-9", 27, 5),
    "gad7": Scale("gad7", "GAD-7", 21, None),
}


@dataclass(frozen=True)
class Score:
    """One total, at the clinic's local time. `baseline` marks the evaluation's score."""

    at: datetime
    total: int
    baseline: bool = False
    source: str = ""


@dataclass(frozen=True)
class ScoreProgress:
    scale: Scale
    chart: charts.Chart
    scores: tuple[Score, ...]
    baseline: Score | None
    response_at: Score | None  # the first score that met the response rule
    in_remission: bool | None  # None: remission is not defined for this scale
    response_text: str
    remission_text: str

    @property
    def statements(self) -> tuple[str, ...]:
        return tuple(t for t in (self.response_text, self.remission_text) if t)


def day(value: datetime) -> str:
    return dateformat.format(value, "j M Y")


def _short_day(value: datetime) -> str:
    return dateformat.format(value, "j M")


def _percent(baseline: int, current: int) -> int:
    """How far `current` is from `baseline`, in whole percent (half up), without the sign."""
    change = treatment_response(baseline, current).change_percent
    assert change is not None  # callers check baseline > 0
    return int(abs(change).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _relation(baseline: int, current: int) -> str:
    if current == baseline:
        return f"the same as baseline {baseline}"
    direction = "below" if current < baseline else "above"
    return f"{_percent(baseline, current)} % {direction} baseline {baseline}"


def _half(value: int) -> str:
    return str(value // 2) if value % 2 == 0 else f"{value / 2:.1f}"


def score_progress(code: str, scores: Sequence[Score]) -> ScoreProgress:
    """The chart and the words for one scale. `scores` in any order; the last one marked
    `baseline` is the baseline."""
    scale = SCALES[code]
    ordered = tuple(sorted(scores, key=lambda s: s.at))
    baseline = next((s for s in reversed(ordered) if s.baseline), None)
    after = [s for s in ordered if baseline is not None and s.at > baseline.at]
    response_at = next(
        (s for s in after if baseline and baseline.total and 2 * s.total <= baseline.total), None
    )
    in_remission = (
        None
        if scale.remission_below is None or not ordered
        else ordered[-1].total < scale.remission_below
    )
    return ScoreProgress(
        scale=scale,
        chart=_chart(scale, ordered, baseline),
        scores=ordered,
        baseline=baseline,
        response_at=response_at,
        in_remission=in_remission,
        response_text=_response_text(scale, baseline, after, response_at),
        remission_text=_remission_text(scale, ordered),
    )


def _response_text(
    scale: Scale, baseline: Score | None, after: list[Score], reached: Score | None
) -> str:
    name = scale.name
    if baseline is None:
        return f"Response cannot be judged yet: no baseline {name} from the evaluation."
    if baseline.total == 0:
        return f"Response cannot be judged: the baseline {name} is 0."
    if not after:
        return f"No {name} since the baseline ({baseline.total} on {day(baseline.at)})."
    latest = after[-1]
    if reached is not None:
        text = (
            f"Response reached on {day(reached.at)} ({name} {reached.total}, "
            f"{_relation(baseline.total, reached.total)})."
        )
        if 2 * latest.total > baseline.total:
            text += f" The latest {name}, {latest.total} on {day(latest.at)}, no longer meets it."
        return text
    return (
        f"No response yet: latest {name} {latest.total} on {day(latest.at)}, "
        f"{_relation(baseline.total, latest.total)}; response needs "
        f"{_half(baseline.total)} or less."
    )


def _remission_text(scale: Scale, ordered: tuple[Score, ...]) -> str:
    name, below = scale.name, scale.remission_below
    if below is None:
        return f"Remission is defined for PHQ-9 only; none is judged for {name}."
    if not ordered:
        return f"No {name} recorded yet."
    latest = ordered[-1]
    if latest.total < below:
        return f"In remission: {name} {latest.total} on {day(latest.at)} (below {below})."
    earlier = next((s for s in reversed(ordered) if s.total < below), None)
    if earlier is not None:
        return (
            f"Not in remission now: {name} {latest.total} on {day(latest.at)}; it was below "
            f"{below} on {day(earlier.at)}."
        )
    return (
        f"Not yet in remission (latest {name} {latest.total} on {day(latest.at)}; "
        f"remission is below {below})."
    )


def _chart(scale: Scale, ordered: tuple[Score, ...], baseline: Score | None) -> charts.Chart:
    name = scale.name
    first = ordered[0].at if ordered else None

    def offset(score: Score) -> int:
        assert first is not None
        return int((score.at - first).total_seconds())

    domain = (0, offset(ordered[-1])) if ordered else (0, 0)
    points = [
        charts.PointSpec(offset(s), s.total, day(s.at), "baseline" if s is baseline else s.source)
        for s in ordered
    ]
    lines: list[charts.HLineSpec] = []
    if baseline is not None:
        lines.append(
            charts.HLineSpec(
                "baseline", baseline.total, f"Baseline {baseline.total}", BASELINE_COLOUR
            )
        )
        if baseline.total > 0:
            lines.append(
                charts.HLineSpec(
                    "response",
                    Fraction(baseline.total, 2),
                    f"Response: {_half(baseline.total)} or less",
                    RESPONSE_COLOUR,
                    label_dy=-3,  # above, clear of the remission label when they meet
                )
            )
    if scale.remission_below is not None:
        lines.append(
            charts.HLineSpec(
                "remission",
                scale.remission_below,
                f"Remission: below {scale.remission_below}",
                REMISSION_COLOUR,
                label_dy=12,
            )
        )
    frame = charts.Frame()
    candidates = [(offset(s), _short_day(s.at)) for s in ordered]
    chart = charts.line_chart(
        title=f"{name} over time",
        description=_description(scale, ordered, baseline),
        series=[charts.SeriesSpec(scale.code, name, SCORE_COLOUR, points)],
        x_domain=domain,
        y_domain=(0, scale.maximum),
        y_ticks=list(range(0, scale.maximum + 1, 5)),
        x_ticks=charts.spaced_ticks(candidates, domain, frame, TICK_GAP),
        lines=lines,
        y_unit=f"{name} score",
        x_axis="Date",
        frame=frame,
    )
    return replace(
        chart,
        columns=("Date", name, "Change from baseline", "Recorded at"),
        rows=tuple(_row(s, baseline) for s in ordered),
    )


def _row(score: Score, baseline: Score | None) -> tuple[str, ...]:
    if baseline is None or baseline.total == 0 or score is baseline:
        change = "baseline" if score is baseline else "—"
    else:
        change = (
            "no change"
            if score.total == baseline.total
            else _relation(baseline.total, score.total).rsplit(" baseline", 1)[0]
        )
    return (day(score.at), str(score.total), change, score.source)


def _description(scale: Scale, ordered: tuple[Score, ...], baseline: Score | None) -> str:
    if not ordered:
        return f"No {scale.name} scores recorded yet."
    values = ", ".join(f"{s.total} on {day(s.at)}" for s in ordered)
    base = f" Baseline {baseline.total}." if baseline else " No baseline from the evaluation."
    return f"{scale.name} scores (0 to {scale.maximum}, lower is better): {values}.{base}"
