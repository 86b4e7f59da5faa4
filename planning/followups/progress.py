"""A case's progress: PHQ-9 and GAD-7 over time and each session's vital signs, ready to draw.

`case_progress(case)` is the one entry point: the case page panel, the sealed case summary and
the patient's home page call it and include `templates/charts/_line_chart.html` for each chart.
It costs a fixed number of queries whatever the number of scores, sessions and readings.

Where the scores live: every PHQ-9/GAD-7 total is a `QuestionnaireResponse` of the case, those
recorded at evaluation (the baseline; a corrected evaluation's replaced responses are left out),
those the patient answered through a follow-up link, and any recorded by staff in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from core.models import ClinicSettings
from planning.followups.charts import SCALES, Score, ScoreProgress, score_progress
from planning.followups.models import FollowUp
from planning.intake.models import QuestionnaireResponse
from planning.treatment.charts import VitalsCharts, session_vitals_charts
from planning.treatment.models import TreatmentSession, VitalSignReading

if TYPE_CHECKING:
    from planning.pathway.models import Case

__all__ = ["CaseProgress", "SessionVitals", "case_progress", "case_scores"]


@dataclass(frozen=True)
class SessionVitals:
    session: TreatmentSession
    charts: VitalsCharts

    @property
    def chart_ids(self) -> tuple[str, str]:
        """Ids unique on a page for the two panels' titles (aria-labelledby)."""
        return f"vitals-{self.session.pk}", f"spo2-{self.session.pk}"


@dataclass(frozen=True)
class CaseProgress:
    scores: tuple[ScoreProgress, ...]  # PHQ-9 always; GAD-7 when any was recorded
    sessions: tuple[SessionVitals, ...]  # sessions with at least one vital-sign reading

    @property
    def phq9(self) -> ScoreProgress:
        return self.scores[0]


def case_scores(case: Case) -> dict[str, list[Score]]:
    """Every PHQ-9 and GAD-7 total of the case, oldest first, at the clinic's local time."""
    answered_by_link = FollowUp.objects.filter(response=OuterRef("pk"))
    rows = (
        QuestionnaireResponse.objects.filter(
            case=case, definition__code__in=list(SCALES), total__isnull=False
        )
        .filter(Q(evaluation__isnull=True) | Q(evaluation__superseded_by__isnull=True))
        .annotate(by_link=Exists(answered_by_link))
        .values_list("definition__code", "recorded_at", "total", "evaluation_id", "by_link")
        .order_by("recorded_at", "pk")
    )
    scores: dict[str, list[Score]] = {code: [] for code in SCALES}
    for code, recorded_at, total, evaluation_id, by_link in rows:
        if total is None:  # filtered out above; says so to the type checker
            continue
        source = (
            "evaluation"
            if evaluation_id is not None
            else ("follow-up questionnaire" if by_link else "questionnaire")
        )
        scores[code].append(
            Score(timezone.localtime(recorded_at), total, evaluation_id is not None, source)
        )
    return scores


def case_progress(case: Case, *, sessions: list[TreatmentSession] | None = None) -> CaseProgress:
    """`sessions`: every session of the case, each annotated `has_vitals`, when already read
    (the case page's); the readings of those with any are then read in one query."""
    scores = case_scores(case)
    progress = [score_progress("phq9", scores["phq9"])]
    if scores["gad7"]:
        progress.append(score_progress("gad7", scores["gad7"]))
    readings = Prefetch("vitals", queryset=VitalSignReading.objects.order_by("minute", "pk"))
    if sessions is None:
        sessions = list(
            TreatmentSession.objects.filter(case=case, vitals__isnull=False)
            .distinct()
            .order_by("scheduled_for", "number", "pk")
            .prefetch_related(readings)
        )
    else:
        sessions = sorted(
            (s for s in sessions if s.has_vitals),  # type: ignore[attr-defined]
            key=lambda s: (s.scheduled_for, s.number, s.pk),
        )
        prefetch_related_objects(sessions, readings)
    clinic = ClinicSettings.current()
    return CaseProgress(
        scores=tuple(progress),
        sessions=tuple(SessionVitals(s, session_vitals_charts(s, clinic)) for s in sessions),
    )
