"""The API's one door to the access layer: every check the API makes goes through here, and
each calls the same function the pages call (so the integrator of the table-driven access
layer switches them in this one module).

- case detail, transition (POST): patient home / case page and the transition form
  (access_case_for_user);
- case history, a case's follow-ups: the staff case page (staff + access_case_for_user);
- patients: the case-open form (staff + open_case);
- case list: the board (view_case_board) or the patient's home (withdraw_own_case);
- follow-up list: the board (staff + view_case_board);
- consent PDF: the signature PDF download (consent.access.access_signature_pdf);
- plan PDF: the plan PDF download (staff + access_clinical_case with view_clinical).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from consent.access import access_signature_pdf
from consent.models import ConsentPdf
from core.access import audit_denied, require_perm, require_staff
from core.audit import audit_record
from core.models import Patient
from core.roles import is_staff_member
from planning.pathway.access import access_case_for_user, access_clinical_case, cases_visible_to
from planning.pathway.models import Case

CLINICAL_PERM = "planning.view_clinical"
# Larger numbers cannot be a row id (nor be written to the audit trail's id columns).
MAX_ID = 2**63 - 1


def _possible(record_id: int) -> int:
    if record_id > MAX_ID:
        raise Http404("No such record.")
    return record_id


def visible_cases(user: Any) -> QuerySet[Case]:
    """The case list: the board for staff, their own cases for a patient."""
    if is_staff_member(user):
        require_perm(user, "planning.view_case_board", what="api case list")
    else:
        require_perm(user, "planning.withdraw_own_case", what="api case list")
    return cases_visible_to(user)


def case_for(user: Any, case_id: int, *, record_view: bool = True) -> Case:
    return access_case_for_user(user, _possible(case_id), record_view=record_view)


def case_for_staff(user: Any, case_id: int) -> Case:
    require_staff(user, what=f"api case:{case_id}")
    return access_case_for_user(user, _possible(case_id), record_view=False)


def followup_cases(user: Any) -> QuerySet[Case]:
    require_staff(user, what="api follow-ups")
    require_perm(user, "planning.view_case_board", what="api follow-ups")
    return cases_visible_to(user)


def visible_patients(user: Any) -> QuerySet[Patient]:
    """Staff who may open cases see the register of patients (as the case-open form does)."""
    require_staff(user, what="api patients")
    require_perm(user, "planning.open_case", what="api patients")
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


def may_read_plan_records(user: Any) -> bool:
    return is_staff_member(user) and bool(user.has_perm(CLINICAL_PERM))


def consent_pdf_for(user: Any, case: Case, signature_id: int) -> ConsentPdf:
    record = access_signature_pdf(user, _possible(signature_id))
    if record.signature.case_id != case.pk:
        audit_denied(user, what=f"consent_signature:{signature_id} pdf", case_id=case.pk)
        raise Http404("No such record, or it is not ready yet.")
    return record


def plan_case_for(user: Any, case_id: int) -> Case:
    require_staff(user, what=f"api plan pdf case:{case_id}")
    return access_clinical_case(user, _possible(case_id), perm=CLINICAL_PERM)
