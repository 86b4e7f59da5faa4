"""Notices to staff: the one place planning tells people that something needs them.

`notify_staff` writes nothing itself; it queues the mail after the transaction commits, so a
rolled-back alert never sends a notice. Today it uses the existing mail path
(`consent.emails.send_templated_mail`); switching to the core outbox is a one-line change here.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction

from consent.emails import send_templated_mail
from core.models import ClinicSettings

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
    for to in staff_recipients(case):
        transaction.on_commit(partial(send_templated_mail, "staff_notice", to=to, context=context))
