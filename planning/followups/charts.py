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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import charts
from planning.intake.scoring import treatment_response

__all__ = ["SCALES", "Scale", "Score", "ScoreProgress", "score_progress"]

BASELINE_COLOUR = "#5f6b76"
RESPONSE_COLOUR = "#b35c00"
REMISSION_COLOUR = "#1b7a3a"
SCORE_COLOUR = "#0b4f8a"
TICK_GAP = 70  # SVG units between two date labels
# Where a score was recorded (`Score.source`, set by planning.followups.progress), as shown.
SOURCE_LABELS = {
    "evaluation": gettext_lazy("evaluation"),
    "follow-up questionnaire": gettext_lazy("follow-up questionnaire"),
    "questionnaire": gettext_lazy("questionnaire"),
}


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
        return _("the same as baseline %(baseline)s") % {"baseline": baseline}
    values = {"baseline": baseline, "percent": _percent(baseline, current)}
    if current < baseline:
        return _("%(percent)s %% below baseline %(baseline)s") % values
    return _("%(percent)s %% above baseline %(baseline)s") % values


def _change(baseline: int, current: int) -> str:
    """The table's "change from baseline" cell (the baseline itself is named in the header)."""
    if current == baseline:
        return _("no change")
    values = {"percent": _percent(baseline, current)}
    if current < baseline:
        return _("%(percent)s %% below") % values
    return _("%(percent)s %% above") % values


def _source(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


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
        return _("Response cannot be judged yet: no baseline %(name)s from the evaluation.") % {
            "name": name
        }
    if baseline.total == 0:
        return _("Response cannot be judged: the baseline %(name)s is 0.") % {"name": name}
    if not after:
        return _("No %(name)s since the baseline (%(total)s on %(day)s).") % {
            "name": name,
            "total": baseline.total,
            "day": day(baseline.at),
        }
    latest = after[-1]
    if reached is not None:
        text = _("Response reached on %(day)s (%(name)s %(total)s, %(relation)s).") % {
            "day": day(reached.at),
            "name": name,
            "total": reached.total,
            "relation": _relation(baseline.total, reached.total),
        }
        if 2 * latest.total > baseline.total:
            text += " " + _("The latest %(name)s, %(total)s on %(day)s, no longer meets it.") % {
                "name": name,
                "total": latest.total,
                "day": day(latest.at),
            }
        return text
    return _(
        "No response yet: latest %(name)s %(total)s on %(day)s, %(relation)s; response needs "
        "%(needed)s or less."
    ) % {
        "name": name,
        "total": latest.total,
        "day": day(latest.at),
        "relation": _relation(baseline.total, latest.total),
        "needed": _half(baseline.total),
    }


def _remission_text(scale: Scale, ordered: tuple[Score, ...]) -> str:
    name, below = scale.name, scale.remission_below
    if below is None:
        return _("Remission is defined for PHQ-9 only; none is judged for %(name)s.") % {
            "name": name
        }
    if not ordered:
        return _("No %(name)s recorded yet.") % {"name": name}
    latest = ordered[-1]
    values = {"name": name, "total": latest.total, "day": day(latest.at), "below": below}
    if latest.total < below:
        return _("In remission: %(name)s %(total)s on %(day)s (below %(below)s).") % values
    earlier = next((s for s in reversed(ordered) if s.total < below), None)
    if earlier is not None:
        return _(
            "Not in remission now: %(name)s %(total)s on %(day)s; it was below %(below)s on "
            "%(earlier)s."
        ) % {**values, "earlier": day(earlier.at)}
    return (
        _(
            "Not yet in remission (latest %(name)s %(total)s on %(day)s; remission is below "
            "%(below)s)."
        )
        % values
    )


def _chart(scale: Scale, ordered: tuple[Score, ...], baseline: Score | None) -> charts.Chart:
    name = scale.name
    first = ordered[0].at if ordered else None

    def offset(score: Score) -> int:
        assert first is not None
        return int((score.at - first).total_seconds())

    domain = (0, offset(ordered[-1])) if ordered else (0, 0)
    points = [
        charts.PointSpec(
            offset(s),
            s.total,
            day(s.at),
            "baseline" if s is baseline else s.source,
            _("baseline") if s is baseline else _source(s.source),
        )
        for s in ordered
    ]
    frame = charts.Frame()
    candidates = [(offset(s), _short_day(s.at)) for s in ordered]
    chart = charts.line_chart(
        title=_("%(name)s over time") % {"name": name},
        description=_description(scale, ordered, baseline),
        series=[charts.SeriesSpec(scale.code, name, SCORE_COLOUR, points)],
        x_domain=domain,
        y_domain=(0, scale.maximum),
        y_ticks=list(range(0, scale.maximum + 1, 5)),
        x_ticks=charts.spaced_ticks(candidates, domain, frame, TICK_GAP),
        lines=_lines(scale, baseline),
        y_unit=_("%(name)s score") % {"name": name},
        x_axis=_("Date"),
        frame=frame,
    )
    return replace(
        chart,
        columns=(_("Date"), name, _("Change from baseline"), _("Recorded at")),
        rows=tuple(_row(s, baseline) for s in ordered),
    )


def _lines(scale: Scale, baseline: Score | None) -> list[charts.HLineSpec]:
    lines: list[charts.HLineSpec] = []
    if baseline is not None:
        lines.append(
            charts.HLineSpec(
                "baseline",
                baseline.total,
                _("Baseline %(total)s") % {"total": baseline.total},
                BASELINE_COLOUR,
            )
        )
        if baseline.total > 0:
            lines.append(
                charts.HLineSpec(
                    "response",
                    Fraction(baseline.total, 2),
                    _("Response: %(needed)s or less") % {"needed": _half(baseline.total)},
                    RESPONSE_COLOUR,
                    label_dy=-3,  # above, clear of the remission label when they meet
                )
            )
    if scale.remission_below is not None:
        lines.append(
            charts.HLineSpec(
                "remission",
                scale.remission_below,
                _("Remission: below %(below)s") % {"below": scale.remission_below},
                REMISSION_COLOUR,
                label_dy=12,
            )
        )
    return lines


def _row(score: Score, baseline: Score | None) -> tuple[str, ...]:
    if baseline is None or baseline.total == 0 or score is baseline:
        change = _("baseline") if score is baseline else "—"
    else:
        change = _change(baseline.total, score.total)
    return (day(score.at), str(score.total), change, _source(score.source))


def _description(scale: Scale, ordered: tuple[Score, ...], baseline: Score | None) -> str:
    if not ordered:
        return _("No %(name)s scores recorded yet.") % {"name": scale.name}
    values = ", ".join(
        _("%(total)s on %(day)s") % {"total": s.total, "day": day(s.at)} for s in ordered
    )
    base = (
        _("Baseline %(total)s.") % {"total": baseline.total}
        if baseline
        else _("No baseline from the evaluation.")
    )
    return (
        _("%(name)s scores (0 to %(maximum)s, lower is better): %(values)s.")
        % {
            "name": scale.name,
            "maximum": scale.maximum,
            "values": values,
        }
        + " "
        + base
    )
