"""Reaching one follow-up of a case (see `planning.pathway.access`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from core.access import Action
from planning.followups.models import FollowUp
from planning.pathway.access import audit_case_access, reach_case


def access_followup(user: Any, case_id: int, followup_id: int, *, action: str | Action) -> FollowUp:
    case, act = reach_case(user, case_id, action)
    followup = case.followups.filter(pk=followup_id).first()
    if followup is None:
        raise Http404("No such follow-up on this case.")
    followup.case = case
    audit_case_access(user, act, case, target=f"followup:{followup.pk}")
    return followup
