"""Text messages: a pluggable backend named by `PATHWAY_SMS_BACKEND` (a dotted class path).

`core.sms.ConsoleSmsBackend` (the default) logs each text and keeps it in `core.sms.sent`, for
the demo and the tests. `core.sms.WebhookSmsBackend` posts to a provider's HTTP API (a
Twilio-style form post: To, From, Body) configured by `PATHWAY_SMS_WEBHOOK_URL`,
`PATHWAY_SMS_WEBHOOK_USER`, `PATHWAY_SMS_WEBHOOK_TOKEN` and `PATHWAY_SMS_FROM`; a non-2xx
answer raises, so the outbox retries it like a refused e-mail.
"""

from __future__ import annotations

import base64
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextMessage:
    to: str
    text: str
    message_id: str


class SmsBackend(Protocol):
    def send(self, message: TextMessage) -> None: ...


class SmsRefused(RuntimeError):
    """The provider did not accept the text."""


sent: list[TextMessage] = []  # what the console backend sent, newest last (tests, demo)


class ConsoleSmsBackend:
    def send(self, message: TextMessage) -> None:
        logger.info("SMS %s to %s: %s", message.message_id, message.to, message.text)
        sent.append(message)


class WebhookSmsBackend:
    """A provider adapter: one form-encoded POST per text, HTTP basic auth."""

    def __init__(self) -> None:
        self.url = str(settings.PATHWAY_SMS_WEBHOOK_URL)
        self.sender = str(settings.PATHWAY_SMS_FROM)
        credentials = f"{settings.PATHWAY_SMS_WEBHOOK_USER}:{settings.PATHWAY_SMS_WEBHOOK_TOKEN}"
        self.auth = "Basic " + base64.b64encode(credentials.encode()).decode()
        if not self.url.startswith("https://"):
            raise SmsRefused("PATHWAY_SMS_WEBHOOK_URL must be an https:// address.")

    def send(self, message: TextMessage) -> None:
        body = urllib.parse.urlencode(
            {"To": message.to, "From": self.sender, "Body": message.text}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (https only, checked above)
            self.url,
            data=body,
            headers={"Authorization": self.auth, "Idempotency-Key": message.message_id},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise SmsRefused(f"SMS provider answered {response.status}")


def backend() -> SmsBackend:
    path = getattr(settings, "PATHWAY_SMS_BACKEND", "core.sms.ConsoleSmsBackend")
    backend_class: type[SmsBackend] = import_string(path)
    return backend_class()


def send_sms(*, to: str, text: str, message_id: str) -> None:
    backend().send(TextMessage(to=to, text=text, message_id=message_id))
