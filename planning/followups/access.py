"""Reaching one follow-up of a case (see `planning.pathway.access`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from core.access import Action
from planning.followups.models import FollowUp
from planning.pathway.access import audit_case_access, reach_case
from records.models import RecordKind, SealedRecord
from records.selectors import record_latest


def access_followup(user: Any, case_id: int, followup_id: int, *, action: str | Action) -> FollowUp:
    case, act = reach_case(user, case_id, action)
    followup = case.followups.filter(pk=followup_id).first()
    if followup is None:
        raise Http404("No such follow-up on this case.")
    followup.case = case
    audit_case_access(user, act, case, target=f"followup:{followup.pk}")
    return followup


def access_case_summary(user: Any, case_id: int) -> SealedRecord:
    """The case's latest sealed summary, for its download: audited here once (`record.view`),
    so the view that hands out the bytes writes nothing more."""
    case, act = reach_case(user, case_id, "case.summary_pdf")
    record = record_latest(RecordKind.CASE_SUMMARY, case.pk)
    if record is None:
        raise Http404("No case summary has been sealed for this case yet.")
    data = {"sha256": record.sha256, "version": record.version}
    audit_case_access(user, act, case, target=record.audit_target, data=data)
    return record
