"""A patient's "Download all my records": their sealed records in one ZIP (`records.archive`),
the request audited and rate-limited.

The limit (`PATHWAY_ARCHIVE_PER_HOUR` archives per patient login in any hour) counts the
audit trail's own `record.archive` entries, so it holds across processes and restarts and
needs no second counter; the patient row's lock makes two simultaneous requests queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import audit_access, get_action
from core.errors import DomainError
from core.models import AuditEntry, Patient, User
from planning.pathway.access import own_records
from records.archive import ArchiveTooLarge, records_archive


class ArchiveRefused(DomainError):
    status = 429
    code = "archive_rate_limited"


class ArchiveTooLargeError(DomainError):
    status = 413
    code = "archive_too_large"


@dataclass(frozen=True)
class Archive:
    file_name: str
    data: bytes
    count: int


def archive_limit() -> int:
    return int(getattr(settings, "PATHWAY_ARCHIVE_PER_HOUR", 5))


def archive_request(*, user: User) -> Archive:
    """The ZIP of this login's own sealed records (never another patient's: `own_records`)."""
    act = get_action("record.archive")
    with transaction.atomic():
        patient = Patient.objects.select_for_update().filter(user=user).first()
        since = timezone.now() - timedelta(hours=1)
        recent = AuditEntry.objects.filter(action=act.audit, actor=user, created_at__gte=since)
        if recent.count() >= archive_limit():
            raise ArchiveRefused(
                _(
                    "You have downloaded your records %(count)d times in the last hour. "
                    "Please try again later."
                )
                % {"count": archive_limit()}
            )
        records = own_records(user, act)
        now = timezone.now()
        holder = patient.full_name if patient else user.get_username()
        try:
            data = records_archive(records, holder=holder, generated_at=now)
        except ArchiveTooLarge as exc:
            raise ArchiveTooLargeError(
                _("Your records are too large to download at once. Please contact the clinic.")
            ) from exc
        audit_access(
            user,
            act,
            case_id=None,
            patient_id=patient.pk if patient else None,
            target=f"patient:{patient.pk}" if patient else f"user:{user.pk}",
            data={"count": len(records), "bytes": len(data), "sha256": [r.sha256 for r in records]},
        )
    return Archive(f"my-records-{now:%Y-%m-%d}.zip", data, len(records))
