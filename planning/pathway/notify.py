"""Notices to staff: the one place planning tells people that something needs them.

`notify_staff` puts one message per recipient in core's outbox inside the caller's transaction:
a rolled-back alert never sends a notice, a committed one is delivered (and retried) once.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from core.models import ClinicSettings
from core.outbox import message_enqueue

if TYPE_CHECKING:
    from planning.pathway.models import Case


def staff_recipients(case: Case) -> list[str]:
    """The case's physician and the clinic's on-call address (whichever are set), once each."""
    addresses = [
        case.physician.email if case.physician else "",
        ClinicSettings.current().on_call_email,
    ]
    return list(dict.fromkeys(a for a in addresses if a))


def notify_staff(*, case: Case, subject: str, body: str) -> None:
    context = {"case_id": case.pk, "subject": subject, "body": body}
    notice = uuid.uuid4().hex  # one event; it commits or rolls back with the caller's writes
    for number, to in enumerate(staff_recipients(case)):
        message_enqueue(
            template="staff_notice",
            to=to,
            dedupe_key=f"staff-notice-{notice}-{number}",
            context=context,
            case_id=case.pk,
            patient_id=case.patient_id,
        )
