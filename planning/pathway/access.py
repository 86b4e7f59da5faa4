"""The only way a view reaches a case. Patients reach their own; staff roles any; others none.

A patient asking for someone else's case gets 404 (the case's existence is not revealed), and
the attempt is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from core.access import audit_denied, require_perm
from core.roles import Role, has_role
from planning.pathway.audit import audit_case
from planning.pathway.models import Case


def cases_visible_to(user: Any) -> QuerySet[Case]:
    base: QuerySet[Case] = Case.objects.select_related("patient", "physician")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    if user.has_perm("planning.view_case_board"):
        return base
    if has_role(user, Role.PATIENT):
        return base.filter(patient__user=user)
    return base.none()


def access_case_for_user(user: Any, case_id: int, *, record_view: bool = True) -> Case:
    """Return the case if this user may see it (and audit the view), else raise Http404."""
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:
        audit_denied(user, what=f"case:{case_id}", case_id=case_id)
        raise Http404("No such case.")
    if record_view:
        audit_case(
            action="case.view",
            actor=user,
            case=case,
            target=f"case:{case.pk}",
        )
    return case


def access_clinical_case(user: Any, case_id: int, *, perm: str) -> Case:
    """A case for a clinical page: reachable by this user, and their role holds `perm`."""
    case = access_case_for_user(user, case_id, record_view=False)
    require_perm(user, perm, what=f"{perm} on case:{case_id}")
    return case
