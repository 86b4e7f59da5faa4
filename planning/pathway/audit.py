"""Audit entries about a case: the case and its patient are filled in from the case."""

from __future__ import annotations

from typing import Any

from core.audit import audit_record
from core.models import AuditEntry, User
from planning.pathway.models import Case


def audit_case(
    action: str,
    *,
    case: Case,
    actor: User | None = None,
    actor_label: str = "",
    target: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    return audit_record(
        action=action,
        actor=actor,
        actor_label=actor_label,
        case_id=case.pk,
        patient_id=case.patient_id,
        target=target,
        data=data,
    )
