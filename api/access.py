"""The API's one door to the access layer: every check the API makes goes through here, and each
uses the same table of actions (core.access) and typed functions the pages use:

- case list, detail and transitions: `case.read` (staff: any case; a patient: their own);
- case history and a case's follow-ups: `case.view` (the staff case page);
- patients: `case.open` (the case-open form's register);
- follow-up list: `case.board`;
- consent PDF: `consent.access.access_signature_pdf`; plan PDF: `plan.pdf`; REMS form:
  `session.rems_pdf` (planning.treatment.access); case summary: `case.summary_pdf`
  (planning.followups.access). A record list shows the kinds the user may download.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from consent.access import access_signature_pdf
from core.access import audit_denied, get_action, require_action
from core.audit import audit_record
from core.models import Patient
from planning.followups.access import access_case_summary
from planning.pathway.access import access_case, cases_visible_to, reach_case
from planning.pathway.models import Case
from planning.treatment import selectors as treatment_selectors
from planning.treatment.access import access_plan_pdf, access_rems_form
from records.models import RecordKind, SealedRecord

# Larger numbers cannot be a row id (nor be written to the audit trail's id columns).
MAX_ID = 2**63 - 1
#: The actions of the access table this module checks (the access tests read it).
API_ACTIONS = (
    "case.read",
    "case.view",
    "case.board",
    "case.open",
    "plan.pdf",
    "session.rems_pdf",
    "case.summary_pdf",
)


def _possible(record_id: int) -> int:
    if record_id > MAX_ID:
        raise Http404("No such record.")
    return record_id


def visible_cases(user: Any) -> QuerySet[Case]:
    """The case list: every case for staff, their own for a patient."""
    require_action(user, "case.read", what="api case list")
    return cases_visible_to(user, "case.read")


def case_for(user: Any, case_id: int, *, record_view: bool = True) -> Case:
    if record_view:
        return access_case(user, _possible(case_id), action="case.read")
    return reach_case(user, _possible(case_id), "case.read")[0]


def case_for_staff(user: Any, case_id: int) -> Case:
    return reach_case(user, _possible(case_id), "case.view")[0]


def followup_cases(user: Any) -> QuerySet[Case]:
    require_action(user, "case.board", what="api follow-ups")
    return cases_visible_to(user, "case.board")


def visible_patients(user: Any) -> QuerySet[Patient]:
    """Staff who may open cases see the register of patients (as the case-open form does)."""
    require_action(user, "case.open", what="api patients")
    return Patient.objects.all()


def patient_for(user: Any, patient_id: int) -> Patient:
    patient = visible_patients(user).filter(pk=_possible(patient_id)).first()
    if patient is None:
        audit_denied(user, what=f"patient:{patient_id}")
        raise Http404("No such patient.")
    audit_record(
        action="patient.view", actor=user, patient_id=patient.pk, target=f"patient:{patient.pk}"
    )
    return patient


def readable_record_kinds(user: Any) -> tuple[str, ...]:
    """The kinds of sealed record the user may download (every user who reaches a case may
    download its consent records, as on the pages)."""
    by_action = (
        (RecordKind.PLAN, "plan.pdf"),
        (RecordKind.REMS, "session.rems_pdf"),
        (RecordKind.CASE_SUMMARY, "case.summary_pdf"),
    )
    allowed = [kind.value for kind, action in by_action if get_action(action).allows_any(user)]
    return (RecordKind.CONSENT.value, *allowed)


def rems_pdf_for(user: Any, case_id: int, session_id: int) -> SealedRecord:
    """The sealed REMS form of a signed-off session (the API hands out sealed records only; the
    page seals one on demand)."""
    session = access_rems_form(user, _possible(case_id), _possible(session_id))
    record: SealedRecord | None = treatment_selectors.rems_record(session.case, session.pk)
    if record is None:
        raise Http404("No such record, or it is not ready yet.")
    return record


def case_summary_pdf_for(user: Any, case_id: int, owner_id: int) -> SealedRecord:
    """The latest sealed case summary (its owner id is the case's)."""
    if owner_id != case_id:
        raise Http404("No such record.")
    return access_case_summary(user, _possible(case_id))


def consent_pdf_for(user: Any, case: Case, signature_id: int) -> SealedRecord:
    record = access_signature_pdf(user, _possible(signature_id))
    if record.case_id != case.pk:
        audit_denied(user, what=f"consent_signature:{signature_id} pdf", case_id=case.pk)
        raise Http404("No such record, or it is not ready yet.")
    return record


def plan_pdf_for(user: Any, case_id: int, plan_id: int) -> SealedRecord:
    return access_plan_pdf(user, _possible(case_id), _possible(plan_id))
