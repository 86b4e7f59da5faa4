"""Patient link pages and messages found wanting on a phone (QA pass):

- a closed link sends the patient to the clinic's phone and e-mail, never "reply to the e-mail
  that brought you here" (invitations come from an address that does not receive replies), and
  neither does the demo consent document;
- a disclosure or questions step sent back with a problem says so at the top of the page and
  links (and, with JavaScript, jumps) to the field to fix;
- the PHQ-9 reminder keeps the questionnaire's own name ("PHQ-9", not "phq-9");
- long dates on Spanish pages and messages read "29 de noviembre de 2099"; English unchanged.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from consent.documents import questions_for
from consent.models import ConsentRequest
from consent.services import consent_request_revoke
from core.models import ClinicSettings, Patient, PatientLink
from core.outbox import render_message
from demo.consent import DEMO_BODY
from demo.consent_es import DEMO_BODY_ES
from demo.pathway import DEMO_CLINIC_CONTACT
from planning.followups.models import FollowUp, FollowUpKind
from tests.consent.flow import Patient as Browser
from tests.consent.flow import invite, invite_over_http

pytestmark = pytest.mark.django_db

BORN = "1985-05-20"
CONTACT = {"contact_phone": "+1 555 0100", "contact_email": "care@clinic.example"}


def _contact(**values: str) -> None:
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(**values)


def _spanish(case: Any) -> None:
    Patient.objects.filter(pk=case.patient_id).update(preferred_language="es")
    case.patient.refresh_from_db()


# 1. Where to write to ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_closed_link_gives_the_clinics_phone_and_email(
    consent_case: Any, desk: Any, document: Any, language: str
) -> None:
    _contact(**CONTACT)
    if language == "es":
        _spanish(consent_case)
    req, link = invite(consent_case, desk)
    browser = Browser(link)
    assert browser.dob(BORN).status_code == 302
    consent_request_revoke(request_id=req.pk, actor=desk, reason="Sent by mistake")
    page = browser.get().content.decode()
    assert 'data-testid="link-closed"' in page
    contact = re.search(r'data-testid="closed-contact">(.*?)</span>', page, flags=re.S)
    assert contact, page
    assert 'href="tel:+15550100"' in contact.group(1)
    assert 'href="mailto:care@clinic.example"' in contact.group(1)
    for said in ("replying to the e-mail", "respondiendo al correo"):
        assert said not in page
    if language == "es":
        assert "llame al" in contact.group(1) or "escriba a" in contact.group(1), contact.group(1)


def test_a_closed_link_without_contact_details_still_names_no_reply_address(
    consent_case: Any, desk: Any, document: Any
) -> None:
    _contact(contact_phone="", contact_email="")
    req, link = invite(consent_case, desk)
    browser = Browser(link)
    browser.dob(BORN)
    browser.post("decline/", {"reason": "Not now"})
    assert ConsentRequest.objects.get(pk=req.pk).status == "declined"
    page = browser.get().content.decode()
    assert "clinic has been told of your decision" in page
    assert "Please contact" in page and "replying to the e-mail" not in page


def test_the_invitations_are_sent_from_an_address_that_takes_no_replies(
    consent_case: Any, desk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """What the pages above must not contradict (templates/emails/_contact.*)."""
    _contact(**CONTACT)
    invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    assert "reply to this e-mail" not in mail.outbox[-1].body


@pytest.mark.parametrize("body", [DEMO_BODY, DEMO_BODY_ES], ids=["en", "es"])
def test_the_demo_document_points_to_the_clinics_phone_and_email(body: str) -> None:
    who = body[body.rindex("\n## ") :]  # the last section: who to contact
    assert "replying" not in who and "respondiendo" not in who
    assert str(DEMO_CLINIC_CONTACT["contact_phone"]) in who
    assert str(DEMO_CLINIC_CONTACT["contact_email"]) in who


# 2. The problem is shown at the top -------------------------------------------------------


def _at_disclosure(consent_case: Any, desk: Any) -> Browser:
    _req, link = invite(consent_case, desk)
    browser = Browser(link)
    assert browser.dob(BORN).status_code == 302
    return browser


def test_an_unticked_disclosure_says_so_at_the_top_and_links_to_the_box(
    consent_case: Any, desk: Any, document: Any
) -> None:
    browser = _at_disclosure(consent_case, desk)
    response = browser.post("disclosure/", {"choice": "agree"})
    page = response.content.decode()
    assert response.status_code == 400
    top = page.index('data-testid="form-problems"')
    assert top < page.index('class="doc"') < page.index('id="id_understood"')
    summary = page[top : page.index("</div>", top)]
    assert 'role="alert"' in page[page.rindex("<div", 0, top) : top]
    assert re.findall(r'<a href="#(id_\w+)" data-testid="problem-link"', summary) == [
        "id_understood"
    ]
    assert "Please tick the box" in summary
    assert 'data-jump="first"' in page and "consent/signing.js" in page
    ok = browser.post("disclosure/", {"choice": "agree", "understood": "on"})
    assert ok.status_code == 302


def test_a_first_visit_to_the_disclosure_shows_no_problem(
    consent_case: Any, desk: Any, document: Any
) -> None:
    page = _at_disclosure(consent_case, desk).get("disclosure/").content.decode()
    assert 'data-testid="form-problems"' not in page and "consent/signing.js" not in page


def test_an_unanswered_question_is_listed_at_the_top_with_a_link_to_it(
    consent_case: Any, desk: Any, document: Any
) -> None:
    browser = _at_disclosure(consent_case, desk)
    browser.post("disclosure/", {"choice": "agree", "understood": "on"})
    version_id = document.versions.get(label="v1").pk
    browser.post("read/", {"version_id": version_id})
    questions = questions_for(document, "en")
    answered = {f"q{questions[0].pk}": questions[0].correct_choice}
    response = browser.post("questions/", {"version_id": version_id, **answered})
    page = response.content.decode()
    assert response.status_code == 400
    top = page.index('data-testid="form-problems"')
    assert top < page.index("<fieldset")
    summary = page[top : page.index("</div>", top)]
    links = re.findall(r'<a href="#(id_\w+)" data-testid="problem-link">([^<]*)</a>', summary)
    assert [target for target, _ in links] == [f"id_q{q.pk}_0" for q in questions[1:]]
    assert all(f'id="{target}"' in page for target, _ in links)
    assert links[0][1].startswith(f"2. {questions[1].prompt}")
    assert "consent/signing.js" in page


def test_wrong_answers_link_to_the_passages_to_read_again(
    consent_case: Any, desk: Any, document: Any
) -> None:
    browser = _at_disclosure(consent_case, desk)
    browser.post("disclosure/", {"choice": "agree", "understood": "on"})
    version_id = document.versions.get(label="v1").pk
    browser.post("read/", {"version_id": version_id})
    questions = questions_for(document, "en")
    answers = {f"q{q.pk}": q.correct_choice for q in questions}
    answers[f"q{questions[0].pk}"] = 1 if questions[0].correct_choice != 1 else 2
    page = browser.post("questions/", {"version_id": version_id, **answers}).content.decode()
    top = page.index('data-testid="answers-wrong"')
    summary = page[top : page.index("</div>", top)]
    assert re.findall(r'<a href="#(id_\w+)" data-testid="problem-link"', summary) == [
        f"id_q{questions[0].pk}_0"
    ]


# 3. The questionnaire's name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "It is time for your PHQ-9 questionnaire."),
        ("es", "Es el momento de su cuestionario PHQ-9."),
    ],
)
def test_the_reminder_keeps_the_questionnaires_name(
    consent_case: Any, language: str, expected: str
) -> None:
    followup = FollowUp(
        case=consent_case,
        kind=FollowUpKind.PHQ9,
        window_ends_at=datetime(2026, 11, 29, 17, 0, tzinfo=ZoneInfo("UTC")),
    )
    context = {"patient": consent_case.patient, "followup": followup, "link": "https://x.test/f"}
    with translation.override(language):
        rendered = render_message("followup-reminder", channel="email", context=context)
    assert expected in rendered.text and expected in rendered.html
    assert "phq-9" not in rendered.text + rendered.html


# 5. Spanish long dates --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_decline_page_writes_the_date_in_the_patients_language(
    consent_case: Any, desk: Any, document: Any, language: str
) -> None:
    if language == "es":
        _spanish(consent_case)
    req, link = invite(consent_case, desk)
    PatientLink.objects.filter(pk=req.link_id).update(
        expires_at=datetime(2099, 11, 29, 12, 0, tzinfo=ZoneInfo("UTC"))
    )
    browser = Browser(link)
    browser.dob(BORN)
    page = browser.get("decline/").content.decode()
    if language == "es":
        assert "29 de noviembre de 2099" in page, page
    else:
        assert "29 November 2099" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", r"valid until \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d"), ("es", r" de [a-z]+ de \d{4}")],
)
def test_the_invitation_writes_the_date_in_the_patients_language(
    consent_case: Any,
    desk: Any,
    django_capture_on_commit_callbacks: Any,
    language: str,
    expected: str,
) -> None:
    if language == "es":
        _spanish(consent_case)
    invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    message = mail.outbox[-1]
    assert isinstance(message, EmailMultiAlternatives)
    for body in (str(message.body), str(message.alternatives[0][0])):
        assert re.search(expected, body), body
