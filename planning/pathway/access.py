"""The only way a view, the API or a download reaches a case: `access_case(user, case_id,
action=...)`, driven by the action table (`core.access`). Holders of the action's `perm` reach
any case, holders of its `own_perm` (patients) their own; a role holding neither gets 403, and
a case the user may not see is a 404 that does not reveal whether it exists. Refusals and
clinical reads are audited, a read exactly once.

The sub-domains' typed functions (`access_plan`, `access_session`, `access_followup`) build on
`reach_case`, which checks without auditing the read, so that they can audit it once with their
own target.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from core.access import Action, audit_access, audit_denied, get_action, require_action
from core.models import Patient
from planning.pathway.models import Case
from records.models import SealedRecord


def cases_visible_to(user: Any, action: str | Action) -> QuerySet[Case]:
    """The cases this user may take `action` on: all, their own, or none."""
    act = action if isinstance(action, Action) else get_action(action)
    base: QuerySet[Case] = Case.objects.select_related("patient", "physician")
    if act.allows_any(user):
        return base
    if act.allows_own(user):
        return base.filter(patient__user=user)
    return base.none()


def reach_case(user: Any, case_id: int, action: str | Action) -> tuple[Case, Action]:
    """The case and the action, checked (403/404, audited), the read not yet audited."""
    act = require_action(user, action, what=f"case:{case_id}")
    case = cases_visible_to(user, act).filter(pk=case_id).first()
    if case is None:
        audit_denied(user, what=f"{act.name} case:{case_id}", case_id=case_id)
        raise Http404("No such case.")
    return case, act


def audit_case_access(
    user: Any, act: Action, case: Case, *, target: str, data: dict[str, Any] | None = None
) -> None:
    audit_access(user, act, case_id=case.pk, patient_id=case.patient_id, target=target, data=data)


def access_case(user: Any, case_id: int, *, action: str | Action) -> Case:
    """The case if this user may take `action` on it; a clinical read is audited once."""
    case, act = reach_case(user, case_id, action)
    audit_case_access(user, act, case, target=f"case:{case.pk}")
    return case


def own_patient_ids(user: Any, action: str | Action) -> list[int]:
    """The patient records behind this login, for an own-records action (403 for a role
    without it; staff hold none: they reach records through the case pages)."""
    act = require_action(user, action, what="own records")
    if not act.allows_own(user):
        return []
    return list(Patient.objects.filter(user=user).values_list("pk", flat=True))


def own_records(user: Any, action: str | Action) -> list[SealedRecord]:
    """Every sealed record of this login's patients, every version, newest first."""
    patient_ids = own_patient_ids(user, action)
    return list(SealedRecord.objects.filter(patient_id__in=patient_ids).order_by("-created_at"))


def access_own_record(user: Any, record_id: int) -> SealedRecord:
    """One sealed record of one's own for its view or download, audited once here; anything
    else is a 404 that does not say whether it exists."""
    act = get_action("record.own")
    patient_ids = own_patient_ids(user, act)
    record = SealedRecord.objects.filter(pk=record_id, patient_id__in=patient_ids).first()
    if record is None:
        audit_denied(user, what=f"{act.name} sealed_record:{record_id}")
        raise Http404("No such record.")
    data = {"kind": record.kind, "version": record.version, "sha256": record.sha256}
    audit_access(
        user,
        act,
        case_id=record.case_id,
        patient_id=record.patient_id,
        target=record.audit_target,
        data={**data, "via": "patient-home"},
    )
    return record


def access_queue(user: Any, queue: str) -> list[str]:
    """The work queues this user may open, `queue` first when given and allowed (403 when it
    is another role's queue, audited; unknown names are 404)."""
    from core.roles import user_roles
    from planning.pathway.queues import QUEUE_ROLES, queues_for

    allowed = queues_for({r.value for r in user_roles(user)}, superuser=user.is_superuser)
    if queue and queue not in QUEUE_ROLES:
        raise Http404("No such work queue.")
    if queue and queue not in allowed:
        audit_denied(user, what=f"case.queue {queue}")
        raise PermissionDenied("This work queue belongs to another role.")
    if not allowed:
        raise PermissionDenied("Your role has no work queue.")
    return [queue, *[q for q in allowed if q != queue]] if queue else allowed
