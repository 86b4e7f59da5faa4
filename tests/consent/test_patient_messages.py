"""Every message to a patient says how to reach the clinic (issue 13): the real phone, e-mail,
hours and crisis line from clinic settings, never "reply to this e-mail" from a no-reply
address or "call the clinic" with no number."""

from __future__ import annotations

import pytest
from django.core import mail

from core.models import ClinicSettings
from core.outbox import render_message
from tests.consent.flow import invite_over_http

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_phone": "+1 555 0100",
    "contact_email": "care@clinic.example",
    "contact_hours": "Mon-Fri 8-18",
    "crisis_line": "call 988 at any hour",
}


def test_the_invitation_carries_the_clinic_contact(
    desk, consent_case, django_capture_on_commit_callbacks
) -> None:
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(**CONTACT)
    invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "reply to this e-mail" not in body and "call the clinic." not in body
        assert all(value in body for value in CONTACT.values()), body
    assert 'href="tel:+15550100"' in html and 'href="mailto:care@clinic.example"' in html


@pytest.mark.parametrize(
    ("template", "channel"),
    [("consent_copy_ready", "email"), ("followup-reminder", "email"), ("followup-reminder", "sms")],
)
def test_other_patient_messages_carry_it_too(template, channel, consent_case) -> None:
    ClinicSettings.objects.filter(pk=ClinicSettings.current().pk).update(**CONTACT)
    context = {"patient": consent_case.patient, "followup": None, "link": "https://x.example/l"}
    rendered = render_message(template, channel=channel, context=context)
    assert "+1 555 0100" in rendered.text
    if channel == "email":
        assert "care@clinic.example" in rendered.text and "+1 555 0100" in rendered.html
