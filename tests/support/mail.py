"""Mail and SMS backends for tests with a real worker process: each message is appended to a
log file, with a 'sending' line before a configurable pause and a 'sent' line after, so a test
can kill the worker while a message is on its way."""

from __future__ import annotations

import os
import smtplib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from core.sms import TextMessage


class LogBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            _log_send(message.extra_headers.get("Message-ID", "?"), ",".join(message.to))
        return len(email_messages)


class LogSmsBackend:
    def send(self, message: TextMessage) -> None:
        _log_send(message.message_id, message.to)


def _log_send(message_id: str, to: str) -> None:
    log = Path(settings.EMAIL_FILE_PATH) / "mail.log"
    _append(log, f"sending {message_id}")
    time.sleep(float(os.environ.get("TEST_MAIL_PAUSE", "0")))
    _append(log, f"sent {message_id} to={to}")


def _append(log: Path, line: str, **_: Any) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


REFUSED_PREFIX = "refused"


class RefusingBackend(locmem.EmailBackend):
    """The locmem backend, except the mail server refuses any address starting 'refused'."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            refused = [to for to in message.to if to.startswith(REFUSED_PREFIX)]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 mailbox unavailable"))
                )
        return super().send_messages(messages)
