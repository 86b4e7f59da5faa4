"""A mail backend for tests with a real worker process: each message is appended to a log
file, with a 'sending' line before a configurable pause and a 'sent' line after, so a test
can kill the worker while a message is on its way."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class LogBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        log = Path(settings.EMAIL_FILE_PATH) / "mail.log"
        pause = float(os.environ.get("TEST_MAIL_PAUSE", "0"))
        for message in email_messages:
            message_id = message.extra_headers.get("Message-ID", "?")
            _append(log, f"sending {message_id}")
            time.sleep(pause)
            _append(log, f"sent {message_id} to={','.join(message.to)}")
        return len(email_messages)


def _append(log: Path, line: str, **_: Any) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
