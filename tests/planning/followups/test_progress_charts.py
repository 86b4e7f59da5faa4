"""Progress charts: exact geometry for short series (worked out by hand in the comments),
response and remission in words, empty and one-point series, the vitals chart, and where the
charts show (case page panel, session page)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import charts
from planning.followups.charts import Score, score_progress
from planning.treatment.charts import Reading, vitals_charts


def at(day: int, month: int = 1, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(2027, month, day, hour, 0))


def d(value: str) -> Decimal:
    return Decimal(value)


# Default frame: 700 x 330, plot from x 50 to 550 (500 wide) and y 20 to 290 (270 high).
# PHQ-9 runs 0-27, so one point of score is 270 / 27 = 10 units: y = 290 - 10 * score.
SERIES = [
    Score(at(1), 20, baseline=True, source="evaluation"),
    Score(at(8), 15, source="follow-up questionnaire"),
    Score(at(15), 9, source="follow-up questionnaire"),
    Score(at(29), 4, source="follow-up questionnaire"),
]


def test_points_and_lines_of_a_short_phq9_series() -> None:
    progress = score_progress("phq9", list(reversed(SERIES)))  # any order in
    chart = progress.chart
    (series,) = chart.series
    # 28 days span 500 units: day 7 -> 50 + 125, day 14 -> 50 + 250, day 28 -> 550.
    assert [(p.x, p.y) for p in series.points] == [
        (d("50.0"), d("90.0")),  # 20
        (d("175.0"), d("140.0")),  # 15
        (d("300.0"), d("200.0")),  # 9
        (d("550.0"), d("250.0")),  # 4
    ]
    assert series.polyline == "50.0,90.0 175.0,140.0 300.0,200.0 550.0,250.0"
    lines = {line.key: line.y for line in chart.lines}
    # baseline 20; response at half of it, 10; remission below 5.
    assert lines == {"baseline": d("90.0"), "response": d("190.0"), "remission": d("240.0")}
    assert [(t.position, t.label) for t in chart.y_ticks] == [
        (d("290.0"), "0"),
        (d("240.0"), "5"),
        (d("190.0"), "10"),
        (d("140.0"), "15"),
        (d("90.0"), "20"),
        (d("40.0"), "25"),
    ]
    assert [(t.position, t.label) for t in chart.x_ticks] == [
        (d("50.0"), "1 Jan"),
        (d("175.0"), "8 Jan"),
        (d("300.0"), "15 Jan"),
        (d("550.0"), "29 Jan"),
    ]
    assert [p.note for p in series.points] == [
        "baseline",
        "follow-up questionnaire",
        "follow-up questionnaire",
        "follow-up questionnaire",
    ]
    assert progress.response_text == (
        "Response reached on 15 Jan 2027 (PHQ-9 9, 55 % below baseline 20)."
    )
    assert progress.remission_text == "In remission: PHQ-9 4 on 29 Jan 2027 (below 5)."
    assert progress.in_remission is True and progress.response_at == SERIES[2]
    assert chart.rows[1] == ("8 Jan 2027", "15", "25 % below", "follow-up questionnaire")


def test_an_odd_baseline_puts_the_response_line_between_scores() -> None:
    progress = score_progress(
        "phq9", [Score(at(1), 21, baseline=True), Score(at(12), 10), Score(at(19), 12)]
    )
    lines = {line.key: (line.y, line.label) for line in progress.chart.lines}
    assert lines["response"] == (d("185.0"), "Response: 10.5 or less")  # 290 - 105
    assert progress.response_text == (
        "Response reached on 12 Jan 2027 (PHQ-9 10, 52 % below baseline 21). "
        "The latest PHQ-9, 12 on 19 Jan 2027, no longer meets it."
    )
    assert progress.remission_text == (
        "Not yet in remission (latest PHQ-9 12 on 19 Jan 2027; remission is below 5)."
    )


def test_no_response_yet_and_remission_lost() -> None:
    waiting = score_progress("phq9", [Score(at(1), 20, baseline=True), Score(at(8), 12)])
    assert waiting.response_text == (
        "No response yet: latest PHQ-9 12 on 8 Jan 2027, 40 % below baseline 20; "
        "response needs 10 or less."
    )
    worse = score_progress("phq9", [Score(at(1), 20, baseline=True), Score(at(8), 23)])
    assert "15 % above baseline 20" in worse.response_text
    lost = score_progress(
        "phq9", [Score(at(1), 20, baseline=True), Score(at(8), 4), Score(at(15), 7)]
    )
    assert lost.remission_text == (
        "Not in remission now: PHQ-9 7 on 15 Jan 2027; it was below 5 on 8 Jan 2027."
    )
    assert lost.in_remission is False


def test_gad7_has_baseline_and_half_lines_but_no_remission_line() -> None:
    progress = score_progress("gad7", [Score(at(1), 14, baseline=True), Score(at(29), 7)])
    # GAD-7 runs 0-21: y = 290 - 270 * score / 21; 14 -> 110.0, 7 -> 200.0
    assert [(p.x, p.y) for p in progress.chart.series[0].points] == [
        (d("50.0"), d("110.0")),
        (d("550.0"), d("200.0")),
    ]
    assert [line.key for line in progress.chart.lines] == ["baseline", "response"]
    assert progress.in_remission is None
    assert progress.remission_text == (
        "Remission is defined for PHQ-9 only; none is judged for GAD-7."
    )
    assert progress.response_text.startswith("Response reached on 29 Jan 2027 (GAD-7 7, 50 %")


def test_an_empty_series() -> None:
    progress = score_progress("phq9", [])
    assert progress.chart.empty and progress.chart.x_ticks == ()
    assert [line.key for line in progress.chart.lines] == ["remission"]
    assert progress.chart.description == "No PHQ-9 scores recorded yet."
    assert progress.statements == (
        "Response cannot be judged yet: no baseline PHQ-9 from the evaluation.",
        "No PHQ-9 recorded yet.",
    )


def test_one_point_sits_in_the_middle() -> None:
    progress = score_progress("phq9", [Score(at(3), 18, baseline=True)])
    (point,) = progress.chart.series[0].points
    assert (point.x, point.y) == (d("300.0"), d("110.0"))
    assert progress.response_text == "No PHQ-9 since the baseline (18 on 3 Jan 2027)."
    assert [(t.position, t.label) for t in progress.chart.x_ticks] == [(d("300.0"), "3 Jan")]


def test_date_labels_that_would_crowd_are_dropped() -> None:
    scores = [Score(at(1), 20, baseline=True), Score(at(2), 19), Score(at(30), 8)]
    labels = [t.label for t in score_progress("phq9", scores).chart.x_ticks]
    assert labels == ["1 Jan", "30 Jan"]  # 2 Jan would be 17.2 units from 1 Jan


def test_vitals_chart_points_limits_and_spo2_panel() -> None:
    readings = [
        Reading(40, 150, 90, 80, 96),
        Reading(0, 130, 80, 70, 98),
        Reading(80, 140, 85, 75, None),
    ]
    result = vitals_charts(readings, systolic_limit=160, diastolic_limit=100)
    pressure = result.pressure
    # Minutes 0-80 over 500 units; 40-200 over 270 units: y = 290 - (v - 40) * 27 / 16.
    by_key = {s.key: s for s in pressure.series}
    assert by_key["systolic"].polyline == "50.0,138.1 300.0,104.4 550.0,121.3"
    assert by_key["diastolic"].polyline == "50.0,222.5 300.0,205.6 550.0,214.1"
    assert by_key["heart_rate"].polyline == "50.0,239.4 300.0,222.5 550.0,230.9"
    assert {line.key: line.y for line in pressure.lines} == {
        "systolic_limit": d("87.5"),
        "diastolic_limit": d("188.8"),
    }
    assert [t.label for t in pressure.y_ticks] == [
        "40",
        "60",
        "80",
        "100",
        "120",
        "140",
        "160",
        "180",
        "200",
    ]
    assert [t.label for t in pressure.x_ticks] == ["0", "40", "80"]
    assert pressure.rows[0] == ("0", "130/80", "70", "98")
    # SpO2: a 170-high frame, plot y 20-130 (110 units) for 80-100 %: 5.5 units per %.
    assert result.oxygen is not None
    assert result.oxygen.series[0].polyline == "50.0,31.0 300.0,42.0"


def test_vitals_axis_widens_to_hold_a_high_value_and_empty_has_no_spo2() -> None:
    wide = vitals_charts([Reading(0, 210, 120, 130)])
    assert wide.pressure.y_ticks[-1].label == "220" and wide.oxygen is None
    (point,) = wide.pressure.series[0].points
    assert point.x == d("300.0")  # one reading: the middle
    empty = vitals_charts([])
    assert empty.empty and empty.oxygen is None
    assert empty.pressure.description == "No vital-sign readings recorded yet."


def test_rounding_is_half_up_to_one_decimal() -> None:
    scale = charts.LinearScale(0, 16, 0, 27)
    assert scale(1) == d("1.7")  # 1.6875
    assert charts.coordinate(charts.Fraction(1, 4)) == d("0.3")  # 0.25 rounds up


# ----------------------------------------------------------------------- the case and pages


@pytest.mark.django_db
def test_case_progress_reads_baseline_follow_ups_and_session_vitals(physician, clinician) -> None:
    from planning.followups.progress import case_progress
    from planning.intake import scoring
    from planning.intake.models import QuestionnaireDefinition
    from planning.intake.services import questionnaire_response_store
    from tests.planning.treatment.helpers import active_case, run_session

    case = active_case(physician)
    definition = QuestionnaireDefinition.objects.get(code="phq9", version=1)
    answers = {f"phq9_{i}": 1 for i in range(1, 9)} | {"phq9_9": 0}  # 8, half the demo's 16
    result = scoring.score(definition.parsed(), answers)
    questionnaire_response_store(case, clinician, None, definition, result)
    run_session(case, clinician)

    progress = case_progress(case)
    phq9 = progress.phq9
    assert [(s.total, s.baseline, s.source) for s in phq9.scores] == [
        (16, True, "evaluation"),
        (8, False, "questionnaire"),
    ]
    assert phq9.response_text.startswith("Response reached on")
    assert "(PHQ-9 8, 50 % below baseline 16)" in phq9.response_text
    assert len(progress.scores) == 1  # no GAD-7 recorded
    (session,) = progress.sessions
    assert [p.value for p in session.charts.pressure.series[0].points] == [132, 128]


@pytest.mark.django_db
def test_the_case_page_shows_progress_to_clinical_staff_only(
    physician, clinician, admin_staff
) -> None:
    from tests.planning.treatment.helpers import active_case, run_session

    case = active_case(physician)
    session, _ = run_session(case, clinician)
    client = Client()
    client.force_login(clinician)
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="progress-phq9"' in page
    assert '<title id="phq9-title">PHQ-9 over time</title>' in page
    assert "No PHQ-9 since the baseline (16 on" in page
    assert 'data-series="systolic"' in page  # the session's vitals
    assert reverse("followups:case_summary_seal", args=[case.pk]) in page
    session_page = client.get(reverse("treatment:session_page", args=[case.pk, session.pk]))
    assert 'data-testid="chart-session-vitals"' in session_page.content.decode()

    client.force_login(admin_staff)
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert 'id="progress"' not in page and "PHQ-9 over time" not in page
