"""The patient's score chart on a phone (QA pass): drawn 700 units wide and scaled to about
330 px, its 11-unit text showed at about 5 px. On a page the chart links static/charts/chart.css,
which below 36rem hides the reference lines' labels (the legend names them), cuts off their
empty margin and sets the text larger; a PDF (no request) links nothing and is drawn as before."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from planning.followups.charts import Score, score_progress
from tests.i18n.test_spanish_patient_pages import patient_with_scores  # noqa: F401  (fixture)

CSS = Path(settings.BASE_DIR) / "static" / "charts" / "chart.css"
PHONE_CHART_PX = 330  # a 390 px phone less the page's and the card's padding
FRAME_WIDTH, FRAME_PLOT_RIGHT = 700, 550


def _chart() -> Any:
    scores = [
        Score(timezone.make_aware(datetime(2026, 11, d, 9)), total, d == 1, "evaluation")
        for d, total in ((1, 18), (8, 14), (15, 9), (29, 4))
    ]
    return score_progress("phq9", scores).chart


def _phone_rules() -> dict[str, str]:
    css = CSS.read_text(encoding="utf-8")
    media = re.search(r"@media \(max-width: 36rem\) \{(.*)\}", css, flags=re.S)
    assert media, css
    rules: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", media.group(1)):
        for selector in selectors.split(","):
            rules[" ".join(selector.split())] = body.strip()
    return rules


def test_on_a_phone_the_charts_text_is_legible() -> None:
    rules = _phone_rules()
    widened = re.search(r"width: ([\d.]+)%", rules[".chart .chart-svg"])
    assert widened
    shown_units = FRAME_WIDTH / (float(widened.group(1)) / 100)
    assert shown_units >= FRAME_PLOT_RIGHT + 30  # half of the last date label still shows
    scale = PHONE_CHART_PX / shown_units
    for kind in ("tick-y", "tick-x", "axis-unit", "axis-title"):
        size = re.search(r"font-size: (\d+)px", rules[f".chart .chart-svg .{kind}"])
        assert size and int(size.group(1)) * scale >= 9, kind
    assert "display: none" in rules[".chart .chart-svg .line-label"]


def test_a_page_links_the_phone_rules_and_marks_the_texts() -> None:
    chart = _chart()
    request = RequestFactory().get("/me/")
    html = render_to_string(
        "charts/_line_chart.html", {"chart": chart, "chart_id": "me", "table": "none"}, request
    )
    assert 'href="/static/charts/chart.css"' in html
    assert html.count('class="tick-y"') == len(chart.y_ticks)
    assert html.count('class="tick-x"') == len(chart.x_ticks)
    assert html.count('class="line-label"') == len(chart.lines) == 3
    for line in chart.lines:  # what the phone hides in the drawing is in the legend
        assert html.count(f"</svg> {line.label}</span>") == 1


def test_a_pdf_links_no_stylesheet() -> None:
    html = render_to_string(
        "charts/_line_chart.html", {"chart": _chart(), "chart_id": "pdf", "table": "visible"}
    )
    assert "<link" not in html and 'class="chart-table"' in html


@pytest.mark.django_db
def test_the_patients_home_links_them(patient_with_scores: tuple[Any, Any]) -> None:  # noqa: F811
    user, _case = patient_with_scores
    client = Client()
    client.force_login(user)
    page = client.get(reverse("pathway:patient_home")).content.decode()
    assert 'data-testid="patient-progress-phq9"' in page
    assert "/static/charts/chart.css" in page
