"""The sweep renders each kind of reminder once and puts each patient's name and window in:
the text must be exactly what a full rendering of that patient's message gives, in every
language and channel, with names that need escaping; and a shared rendering that would differ
is never used."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.outbox import LINK_PLACEHOLDER, MessageDraft, SharedRendering, _build
from planning.followups.models import FollowUp, FollowUpKind
from planning.followups.sweep import reminder_rendering
from tests.factories import CaseFactory, PatientFactory

pytestmark = pytest.mark.django_db

NAMES = ["O'Brien & <Ana>", "Zoë  María", "Li"]
WINDOWS = [
    datetime(2027, 3, 1, 23, 30, tzinfo=UTC),  # another day in the clinic's time zone
    datetime(2027, 12, 24, 8, 5, tzinfo=UTC),
    datetime(2028, 6, 9, 17, 45, tzinfo=UTC),
]


def _followups(kind: str = FollowUpKind.PHQ9, title: str = "") -> list[FollowUp]:
    made = []
    for n, (name, window) in enumerate(zip(NAMES, WINDOWS, strict=True)):
        case = CaseFactory(patient=PatientFactory(given_name=name, phone="+44 7700 900123"))
        made.append(
            FollowUp.objects.create(
                case=case,
                kind=kind,
                key=f"test:{kind}:{n}",
                due_at=window,
                window_ends_at=window,
                title=title,
            )
        )
    return made


def _draft(followup: FollowUp, channel: str, language: str, *, shared: bool) -> MessageDraft:
    patient = followup.case.patient
    return MessageDraft(
        template="followup-reminder",
        channel=channel,
        to=patient.email if channel == "email" else patient.phone,
        dedupe_key=f"followup-{followup.pk}",
        context={"followup": followup, "patient": patient},
        link="https://clinic.example/f/token/",
        language=language,
        shared=reminder_rendering(followup) if shared else None,
    )


def _texts(draft: MessageDraft, cache: dict | None) -> tuple[str, str, str]:
    message = _build(draft, None, cache)
    return message.subject, message.body_text, message.body_html


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("title", ["", "Week 2 – check-in"])
def test_shared_rendering_gives_each_patient_the_full_renderings_text(
    language: str, channel: str, title: str
) -> None:
    cache: dict = {}
    for followup in _followups(title=title):
        full = _texts(_draft(followup, channel, language, shared=False), None)
        shared = _texts(_draft(followup, channel, language, shared=True), cache)
        assert shared == full
        assert LINK_PLACEHOLDER in full[1]
        if channel == "email" and followup.case.patient.given_name == NAMES[0]:
            assert "O&#x27;Brien &amp; &lt;Ana&gt;" in full[1]  # escaped as the template does
    assert len(cache) == 1 and None not in cache.values()  # rendered once, and used


def test_the_texts_differ_per_patient_and_per_language() -> None:
    cache: dict = {}
    first, second, _ = _followups()
    texts = {
        (f.pk, lang): _texts(_draft(f, "email", lang, shared=True), cache)[1]
        for f in (first, second)
        for lang in ("en", "es")
    }
    assert "O&#x27;Brien" in texts[first.pk, "en"] and "Zoë  María" in texts[second.pk, "en"]
    assert "2 March 2027" in texts[first.pk, "en"] or "1 March 2027" in texts[first.pk, "en"]
    assert "1901" not in "".join(texts.values()) and "Pathwaymarker" not in "".join(texts.values())
    assert texts[first.pk, "en"] != texts[first.pk, "es"]
    assert len(cache) == 2  # one per language


def test_a_shared_rendering_that_differs_from_the_full_one_is_not_used() -> None:
    cache: dict = {}
    followups = _followups()
    for followup in followups:
        good = reminder_rendering(followup)
        # Markers that do not carry the name: the shared text would lack it.
        broken = SharedRendering(
            key=good.key, context={**good.context, "patient": object()}, fills=good.fills
        )
        draft = _draft(followup, "email", "en", shared=False)
        full = _texts(draft, None)
        shared = _texts(MessageDraft(**{**draft.__dict__, "shared": broken}), cache)
        assert shared == full
    assert list(cache.values()) == [None]
