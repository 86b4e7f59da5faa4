"""The outbox (core.outbox): idempotent enqueue, isolated failures with backoff up to a cap,
the staff page, links never stored in clear, and SMS behind the same outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import sms
from core.models import MessageStatus, OutboundMessage
from core.outbox import LINK_PLACEHOLDER, backoff, message_enqueue, outbox_deliver_due
from core.roles import Role
from tests.conftest import make_user
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.support.mail.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    settings.PATHWAY_SMS_BACKEND = "core.sms.ConsoleSmsBackend"
    sms.sent.clear()


def _enqueue(to: str, key: str, **kwargs: Any) -> OutboundMessage:
    patient = PatientFactory(given_name="Robin")
    return message_enqueue(
        template="followup-reminder",
        to=to,
        dedupe_key=key,
        context={"patient": patient, "followup": {"get_kind_display": "PHQ-9 questionnaire"}},
        patient_id=patient.pk,
        **kwargs,
    )


def test_one_refused_address_never_holds_up_the_other_nine(admin_staff) -> None:
    for i in range(9):
        _enqueue(f"p{i}@example.invalid", f"test-{i}")
    refused = _enqueue("refused@example.invalid", "test-refused")
    start = timezone.now()

    run = outbox_deliver_due(now=start)
    assert (run.sent, run.retried, run.failed) == (9, 1, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.invalid" for i in range(9)]
    refused.refresh_from_db()
    assert refused.status == MessageStatus.PENDING and refused.attempts == 1
    assert refused.next_attempt_at == start + timedelta(seconds=60)
    assert "SMTPRecipientsRefused" in refused.last_error

    assert outbox_deliver_due(now=start + timedelta(seconds=59)).retried == 0  # not due yet
    second = refused.next_attempt_at
    assert outbox_deliver_due(now=second).retried == 1
    refused.refresh_from_db()
    assert refused.attempts == 2 and refused.next_attempt_at == second + timedelta(seconds=120)

    assert outbox_deliver_due(now=refused.next_attempt_at).failed == 1
    refused.refresh_from_db()
    assert refused.status == MessageStatus.FAILED and refused.attempts == 3
    assert outbox_deliver_due(now=refused.next_attempt_at + timedelta(days=1)).failed == 0
    assert len(mail.outbox) == 9

    client = Client()
    client.force_login(admin_staff)
    page = client.get(reverse("core:outbox"))
    failed = page.content.decode().split('data-testid="outbox-failed"')[1].split("</table>")[0]
    assert page.status_code == 200 and "refused@example.invalid" in failed
    assert "<td>3</td>" in failed and "p0@example.invalid" not in page.content.decode()


def test_backoff_doubles_up_to_the_cap(settings: Any) -> None:
    settings.OUTBOX_RETRY_MAX_SECONDS = 300
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 300, 300]


def test_enqueue_is_idempotent_and_the_message_id_stable() -> None:
    first = _enqueue("a@example.invalid", "consent-invitation-7")
    again = _enqueue("a@example.invalid", "consent-invitation-7")
    assert first.pk == again.pk and OutboundMessage.objects.count() == 1
    assert first.message_id == "<consent-invitation-7@pathway.invalid>"
    outbox_deliver_due()
    assert mail.outbox[0].extra_headers["Message-ID"] == first.message_id
    _enqueue("a@example.invalid", "consent-invitation-7")
    assert outbox_deliver_due().sent == 0 and len(mail.outbox) == 1


@pytest.mark.parametrize("key", ["has space", "colon:key", ""])
def test_a_bad_dedupe_key_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="dedupe_key"):
        _enqueue("a@example.invalid", key)


def test_the_link_is_never_stored_in_clear() -> None:
    link = "http://testserver/f/secret-token-0123456789abcdef/"
    message = _enqueue("a@example.invalid", "followup-1", link=link)
    assert LINK_PLACEHOLDER in message.body_text and LINK_PLACEHOLDER in message.body_html
    stored = OutboundMessage.objects.filter(pk=message.pk).values().get()
    assert not any("secret-token" in str(value) for value in stored.values())
    outbox_deliver_due()
    assert link in mail.outbox[0].body and link in mail.outbox[0].alternatives[0][0]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sealed_link == ""


def test_a_message_claimed_by_a_live_run_is_not_sent_again() -> None:
    message = _enqueue("a@example.invalid", "followup-2")
    now = timezone.now()
    OutboundMessage.objects.filter(pk=message.pk).update(
        claimed_until=now + timedelta(minutes=5), claim_token="other-run"
    )
    assert outbox_deliver_due(now=now).sent == 0
    assert outbox_deliver_due(now=now + timedelta(minutes=6)).sent == 1  # its lease expired
    assert len(mail.outbox) == 1


def test_sms_goes_through_the_same_outbox() -> None:
    link = "http://testserver/f/sms-token-0123456789abcdefghij/"
    message = _enqueue("+44 7700 900123", "followup-3", channel="sms", link=link)
    assert message.subject == "" and LINK_PLACEHOLDER in message.body_text
    assert outbox_deliver_due().sent == 1 and outbox_deliver_due().sent == 0
    assert len(sms.sent) == 1 and not mail.outbox
    text = sms.sent[0]
    assert text.to == "+44 7700 900123" and link in text.text and len(text.text) <= 320
    assert text.message_id == "<followup-3@pathway.invalid>"


def test_the_staff_page_is_for_staff_only(patient_user) -> None:
    anonymous = Client().get(reverse("core:outbox"))
    assert anonymous.status_code == 302
    client = Client()
    client.force_login(patient_user)
    assert client.get(reverse("core:outbox")).status_code == 403
    staff = Client()
    staff.force_login(make_user(Role.CLINICIAN))
    page = staff.get(reverse("core:outbox"))
    assert page.status_code == 200 and "No failed messages" in page.content.decode()
    assert 'href="/staff/outbox/"' in page.content.decode()  # in the staff navigation


def test_the_provider_adapter_refuses_a_plain_http_endpoint(settings: Any) -> None:
    settings.PATHWAY_SMS_BACKEND = "core.sms.WebhookSmsBackend"
    settings.PATHWAY_SMS_WEBHOOK_URL = "http://sms.example.invalid/send"
    message = _enqueue("+44 7700 900123", "followup-4", channel="sms")
    run = outbox_deliver_due()
    message.refresh_from_db()
    assert run.retried == 1 and "must be an https://" in message.last_error
