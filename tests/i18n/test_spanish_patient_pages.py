"""A Spanish patient's pages, rendered: the text built in Python (the score charts' titles,
legends, axis words, table and the response/remission sentences) is in Spanish like the
templates around it. The same page is rendered for the patient in English and in Spanish; any
human text the Spanish page shares word for word with the English one is an untranslated
string (tests/i18n/rendered.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.i18n import patient_language_set
from core.roles import Role
from planning.followups import charts as chart_words
from planning.intake import scoring
from planning.intake.models import QuestionnaireDefinition
from planning.intake.services import questionnaire_response_store
from tests.conftest import make_user
from tests.i18n.rendered import left_in_english, pieces
from tests.planning.treatment.helpers import active_case

pytestmark = pytest.mark.django_db

CHART_SECTIONS = ("patient-progress-", "questionnaire-history")


def _phq9(case: Any, clinician: Any, per_item: int) -> None:
    definition = QuestionnaireDefinition.objects.get(code="phq9", version=1)
    answers = {f"phq9_{i}": per_item for i in range(1, 9)} | {"phq9_9": 0}
    questionnaire_response_store(
        case, clinician, None, definition, scoring.score(definition.parsed(), answers)
    )


@pytest.fixture
def patient_with_scores(physician: Any, clinician: Any) -> tuple[Any, Any]:
    """Baseline 16 at evaluation, then 8 (response reached) and 0 (remission)."""
    user = make_user(Role.PATIENT)
    case = active_case(physician, user=user)
    _phq9(case, clinician, 1)
    _phq9(case, clinician, 0)
    return user, case


def _home(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("pathway:patient_home"))
    assert response.status_code == 200
    return response.content.decode()


def _both_languages(user: Any, case: Any, staff: Any) -> tuple[str, str]:
    english = _home(user)
    patient_language_set(patient_id=case.patient_id, language="es", actor=staff, via="staff")
    return english, _home(user)


def test_charts_on_a_spanish_patients_home_are_in_spanish(
    patient_with_scores: tuple[Any, Any], clinician: Any
) -> None:
    user, case = patient_with_scores
    english, spanish = _both_languages(user, case, clinician)
    assert 'data-testid="patient-progress-phq9"' in spanish
    shown = pieces(english, within=CHART_SECTIONS)
    assert "over time" in shown and "PHQ-9 over time" not in shown  # PHQ-9 is no text
    assert any(p.startswith("Response reached on") for p in shown)
    left = left_in_english(english, spanish, within=CHART_SECTIONS)
    assert left == [], "\n".join(left)
    assert "Respuesta alcanzada el" in spanish and "En remisión" in spanish
    assert "a lo largo del tiempo" in spanish  # the chart title
    assert _svg_numbers_problems(spanish) == []


NUMBER = r"-?\d+(?:\.\d+)?"


def _svg_numbers_problems(page: str) -> list[str]:
    """SVG coordinates must stay plain numbers under a language that writes "12,5"."""
    svg = "".join(re.findall(r"<svg\b.*?</svg>", page, flags=re.S))
    assert "<polyline" in svg and "<circle" in svg
    found = [
        f'{name}="{value}"'
        for name, value in re.findall(r'\s(x|y|x1|x2|y1|y2|cx|cy|dy)="([^"]*)"', svg)
        if not re.fullmatch(NUMBER, value)
    ]
    for points in re.findall(r'\spoints="([^"]*)"', svg):
        found += [p for p in points.split() if not re.fullmatch(f"{NUMBER},{NUMBER}", p)]
    for box in re.findall(r'viewBox="([^"]*)"', svg):
        found += [v for v in box.split() if not re.fullmatch(NUMBER, v)]
    return found


def test_an_untranslated_chart_string_is_caught(
    patient_with_scores: tuple[Any, Any], clinician: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: a chart sentence built without gettext stays English and is found."""
    user, case = patient_with_scores
    monkeypatch.setattr(chart_words, "_", lambda text: text)  # as if never marked
    english, spanish = _both_languages(user, case, clinician)
    left = left_in_english(english, spanish, within=CHART_SECTIONS)
    assert any(p.startswith("Response reached on") for p in left)
    assert "Remission: below 5" in left and "Date" in left  # legend and axis


def test_chart_words_follow_the_active_language() -> None:
    from datetime import datetime

    from django.utils import timezone

    scores = [
        chart_words.Score(timezone.make_aware(datetime(2026, 1, d, 9)), t, d == 1, "evaluation")
        for d, t in ((1, 16), (8, 12))
    ]
    with translation.override("es"):
        progress = chart_words.score_progress("phq9", scores)
    assert progress.chart.x_axis == "Fecha" and progress.chart.columns[0] == "Fecha"
    assert progress.response_text.startswith("Aún no hay respuesta")
    assert progress.chart.rows[0][3] == "evaluación"
    english = chart_words.score_progress("phq9", scores)
    assert english.response_text.startswith("No response yet")


def test_my_records_name_each_record_in_the_patients_language(
    patient_with_scores: tuple[Any, Any], clinician: Any
) -> None:
    """The list of sealed records names each by its kind, translated; the stored English label
    (a staff identifier with the record number) is not shown to the patient."""
    from records.models import RecordKind
    from tests.support.records import stored_record

    user, case = patient_with_scores
    for n, kind in enumerate(RecordKind, start=1):
        stored_record(
            kind,
            9000 + n,
            case_id=case.pk,
            patient_id=case.patient_id,
            data=f"%PDF-1.7 {n}".encode(),
        )
    english, spanish = _both_languages(user, case, clinician)
    left = [  # (a fingerprint reads the same in every language)
        p
        for p in left_in_english(english, spanish, within=("my-records",))
        if not re.fullmatch(r"[0-9a-f]{64}", p)
    ]
    assert left == [], "\n".join(left)
    for words in ("Firma del consentimiento", "Plan de dosificación", "Resumen del caso"):
        assert words in spanish
    assert f"{RecordKind.PLAN} #9002" not in english  # the stored label stays staff-side
