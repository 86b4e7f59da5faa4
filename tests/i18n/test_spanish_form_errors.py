"""A Spanish patient's forms, given bad input, explain the problem in Spanish: the signing link
(date of birth: not a date, in the future, before 1900, not theirs; the disclosure box; the
comprehension questions; a blank or malformed signature, a wrong name, no intent; an over-long
name) and the follow-up questionnaire on their own page (no answers, an answer not offered).
Each run is made twice, for an English and a Spanish patient; any error text the Spanish pages
share word for word with the English ones is an untranslated message (tests/i18n/rendered.py).
The shared validators' messages (core/validators.py) are checked the same way."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consent.documents import questions_for
from consent.forms import DobForm as ConsentDobForm
from consent.models import ConsentDocument
from core import validators
from core.errors import ValidationFailed
from core.roles import Role
from planning.followups.models import FollowUp
from planning.followups.views import DobForm as FollowUpDobForm
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.consent.conftest import _consent_settings, desk, document  # noqa: F401  (fixtures)
from tests.consent.flow import Patient as Browser
from tests.consent.flow import invite
from tests.factories import CaseFactory
from tests.i18n.rendered import left_in_english, pieces
from tests.planning.treatment.helpers import active_case

pytestmark = pytest.mark.django_db

ERRORS = (".field-error", ".errorlist", "role=alert", "sign-refused")
BORN = "1985-05-20"


def _correct_answers(page: str) -> dict[str, str]:
    """The comprehension questions' right answers are not on the page: any choice, per name."""
    return dict.fromkeys(set(re.findall(r'name="(q\d+)"', page)), "1")


def _signing_link_pages(language: str, desk: Any, document: Any) -> list[str]:  # noqa: F811
    case = CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__given_name="Zoë",
        patient__family_name="O'Hara-Lindqvist",
        patient__preferred_language=language,
    )
    _, link = invite(case, desk)
    browser = Browser(link)
    pages = [browser.dob(v) for v in ("31/02/1985", "2999-01-01", "1850-01-01", "1984-01-01")]
    assert browser.dob(BORN).status_code == 302
    pages.append(browser.post("disclosure/", {"choice": "agree"}))
    browser.post("disclosure/", {"choice": "agree", "understood": "on"})
    read = browser.get("read/").content.decode()
    version_id = re.search(r'name="version_id" value="(\d+)"', read).group(1)  # type: ignore[union-attr]
    browser.post("read/", {"version_id": version_id})
    pages.append(browser.post("questions/", {"version_id": version_id}))
    right = {f"q{q.pk}": q.correct_choice for q in questions_for(document, language)}
    browser.post("questions/", {"version_id": version_id, **right})
    review = browser.get("review/")
    sign = browser.post  # a blank signature, a wrong name, no intent; then a malformed drawing
    digest = re.search(r'name="document_sha256" value="(\w+)"', review.content.decode())
    data = {"document_sha256": digest.group(1) if digest else "", "typed_name": "Someone Else"}
    pages.append(sign("sign/", {**data, "signature": "", "strokes": ""}))
    pages.append(sign("sign/", {**data, "signature": "data:image/png;base64,AAAA", "strokes": "x"}))
    pages.append(sign("sign/", {**data, "typed_name": "Z" * 201}))
    return [p.content.decode() for p in pages]


def _questionnaire_pages(language: str, physician: Any) -> list[str]:
    user = make_user(Role.PATIENT)
    case = active_case(physician, user=user, preferred_language=language)
    followup = FollowUp.objects.filter(case=case, kind="phq9").order_by("due_at").first()
    assert followup is not None
    client = Client()
    client.force_login(user)
    url = reverse("followups:answer", args=[case.pk, followup.pk])
    bad = [client.post(url, {}), client.post(url, {"phq9_1": "9", "phq9_2": "1"})]
    assert all(r.status_code == 400 for r in bad), [r.status_code for r in bad]
    return [r.content.decode() for r in bad]


def _errors(pages: list[str]) -> list[str]:
    return [p for page in pages for p in pieces(page, within=ERRORS)]


def test_signing_link_errors_are_in_spanish(desk: Any, document: ConsentDocument) -> None:  # noqa: F811
    english = _signing_link_pages("en", desk, document)
    spanish = _signing_link_pages("es", desk, document)
    shown = _errors(english)
    assert any("date of birth cannot be in the future" in p for p in shown), shown
    assert any("at most 200 characters" in p for p in shown), shown[-8:]
    assert any("Please draw your signature" in p for p in shown)
    left = [
        p
        for e, s in zip(english, spanish, strict=True)
        for p in left_in_english(e, s, within=ERRORS)
    ]
    assert left == [], "\n".join(left)
    assert any("no puede ser futura" in p for p in _errors(spanish)), _errors(spanish)


def test_followup_questionnaire_errors_are_in_spanish(physician: Any) -> None:
    english = _questionnaire_pages("en", physician)
    spanish = _questionnaire_pages("es", physician)
    shown = _errors(english)
    assert any("This question is required." in p for p in shown), shown
    assert any("Select a valid choice" in p for p in shown), shown
    left = [
        p
        for e, s in zip(english, spanish, strict=True)
        for p in left_in_english(e, s, within=ERRORS)
    ]
    assert left == [], "\n".join(left)
    assert any("Esta pregunta es obligatoria." in p for p in _errors(spanish))


def _messages() -> list[str]:
    """Every refusal of the shared validators and of the date-of-birth forms, as shown."""
    found: list[str] = []
    today = date.today()
    checks = [
        lambda: validators.validate_birth_date(date(1850, 1, 1)),
        lambda: validators.validate_birth_date(today + timedelta(days=2)),
        lambda: validators.validate_schedule_date(today + timedelta(days=3000)),
        lambda: validators.validate_event_time(today - timedelta(days=3000)),
        lambda: validators.validate_finite(Decimal("NaN")),
        lambda: validators.check_text(name=("x" * 10, 5), note=("a\x00b", 50)),
    ]
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            found += exc.messages
        except ValidationFailed as exc:
            found += list(exc.fields.values())
    for form_class in (ConsentDobForm, FollowUpDobForm):
        for value in ("", "not a date", "2999-01-01"):
            form = form_class({"date_of_birth": value})
            found += [m for messages in form.errors.values() for m in messages]
    return found


def test_validator_and_date_of_birth_messages_are_in_spanish() -> None:
    english = _messages()
    with translation.override("es"):
        spanish = _messages()
    assert len(english) == len(spanish) >= 11
    assert "The date of birth cannot be in the future." in english
    same = [s for e, s in zip(english, spanish, strict=True) if e == s]
    assert same == []


def test_an_untranslated_validator_message_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: a validator message left out of gettext is found."""
    monkeypatch.setattr(validators, "_", lambda text: text)
    english = _messages()
    with translation.override("es"):
        spanish = _messages()
    same = [s for e, s in zip(english, spanish, strict=True) if e == s]
    assert "The date of birth cannot be in the future." in same
