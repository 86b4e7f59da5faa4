"""The content of the esketamine REMS Patient Monitoring Form, derived from recorded facts only.

Every statement is computed from what was recorded at the session (the pre-dose vitals against
the clinic's limits, the discharge vitals as recorded at discharge, the medications current at
dosing grouped into the REMS classes through the clinic's interaction classes). Nothing is
assumed: a fact that was not recorded reads "not recorded". The layout is versioned
(`FORM_VERSION`); a change to the fields is a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.models import ClinicSettings

if TYPE_CHECKING:
    from planning.treatment.models import TreatmentSession

FORM_VERSION = "PMF-2026.1"
MINIMUM_MONITORING_MINUTES = 120

# REMS class -> the clinic's interaction class codes that feed it (planning/seed_data.py).
REMS_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Benzodiazepines", ("benzodiazepine",)),
    ("Non-benzodiazepine sedative hypnotics", ("sedative_hypnotic",)),
    ("Psychostimulants", ("stimulant",)),
    ("Monoamine oxidase inhibitors (MAOIs)", ("maoi",)),
    ("Opioids", ("opioid",)),
)


@dataclass(frozen=True)
class Vitals:
    systolic: int | None
    diastolic: int | None

    def __str__(self) -> str:
        if self.systolic is None or self.diastolic is None:
            return "not recorded"
        return f"{self.systolic}/{self.diastolic} mmHg"

    def above(self, systolic_max: int, diastolic_max: int) -> bool:
        return (self.systolic or 0) > systolic_max or (self.diastolic or 0) > diastolic_max


def concomitant_by_class(session: TreatmentSession) -> dict[str, list[str]]:
    """The medications current when dosing started, under each REMS class ("none" if empty)."""
    from planning.intake.interactions import MedicationIndex, parse_classes
    from planning.intake.models import InteractionClass

    index = MedicationIndex(parse_classes([c.as_data() for c in InteractionClass.objects.all()]))
    at = session.dosing_started_at
    current = [
        m.name
        for m in session.case.medications.order_by("recorded_at", "pk")
        if at is None or (m.recorded_at <= at and (m.stopped_at is None or m.stopped_at > at))
    ]
    grouped: dict[str, list[str]] = {}
    for label, codes in REMS_CLASSES:
        grouped[label] = [
            name for name in current if index.classes_of(index.generic(name)) & set(codes)
        ]
    return grouped


def _before_dosing(session: TreatmentSession, clinic: ClinicSettings) -> str:
    before = Vitals(session.pre_systolic, session.pre_diastolic)
    if before.systolic is None:
        return "Not recorded"
    limit = f"{clinic.predose_systolic_max}/{clinic.predose_diastolic_max}"
    if not before.above(clinic.predose_systolic_max, clinic.predose_diastolic_max):
        return f"Yes: {before}, within the clinic's limit {limit}"
    if (
        session.bp_clearance_for == f"{before.systolic}/{before.diastolic}"
        and session.bp_clearance_by
    ):
        return (
            f"No: {before}, above the clinic's limit {limit}; dosing cleared by "
            f"{session.bp_clearance_by.display_name} at {_time(session.bp_clearance_at)}: "
            f"{session.bp_clearance_reason}"
        )
    return f"No: {before}, above the clinic's limit {limit}, not cleared"


def _before_discharge(session: TreatmentSession, clinic: ClinicSettings) -> str:
    at_discharge = Vitals(session.discharge_systolic, session.discharge_diastolic)
    if at_discharge.systolic is None or session.discharge_vitals_acceptable is None:
        return "Not recorded (the patient has not been discharged)"
    limit = f"{clinic.bp_systolic_max}/{clinic.bp_diastolic_max}"
    above = at_discharge.above(clinic.bp_systolic_max, clinic.bp_diastolic_max)
    if session.discharge_vitals_acceptable and not above:
        return f"Yes: {at_discharge} at discharge, within the clinic's threshold {limit}"
    why = f"above the clinic's threshold {limit}" if above else "judged not acceptable"
    note = (
        f"; physician's note ({session.physician_note_by.display_name}): {session.physician_note}"
        if session.physician_note and session.physician_note_by
        else ""
    )
    return f"No: {at_discharge} at discharge, {why}{note}"


def _monitoring_minutes(session: TreatmentSession) -> tuple[int | None, str]:
    if session.discharged_at is None or session.dosing_started_at is None:
        return None, "Not recorded (the patient has not been discharged)"
    minutes = int((session.discharged_at - session.dosing_started_at).total_seconds() // 60)
    if minutes >= MINIMUM_MONITORING_MINUTES:
        return minutes, f"{minutes} minutes"
    return minutes, f"{minutes} minutes (less than the required {MINIMUM_MONITORING_MINUTES})"


def _dose(session: TreatmentSession) -> str:
    dose = session.dose_given_mg
    if dose is None:
        return "Not recorded"
    label = f"{int(dose)} mg" if dose in (Decimal(56), Decimal(84)) else f"Other: {dose} mg"
    return label


def _time(value: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "Not recorded"


def rems_content(session: TreatmentSession, clinic: ClinicSettings | None = None) -> dict[str, Any]:
    clinic = clinic or ClinicSettings.current()
    patient = session.case.patient
    vitals = list(session.vitals.order_by("minute", "pk"))
    at_40 = next((v for v in vitals if v.minute >= 40), None)
    minutes, minutes_text = _monitoring_minutes(session)
    plan = session.plan
    return {
        "form_version": FORM_VERSION,
        "patient_name": patient.full_name,
        "date_of_birth": patient.date_of_birth,
        "sex": patient.get_sex_at_birth_display(),
        "first_treatment": "Yes" if session.first_treatment else "No",
        "concomitant": concomitant_by_class(session),
        "enrolment_number": clinic.rems_enrolment_number or "NOT SET (clinic settings)",
        "certification_number": clinic.rems_certification_number or "NOT SET (clinic settings)",
        "monitoring_provider": session.signed_off_by.display_name
        if session.signed_off_by
        else "Not recorded",
        "treatment_date": _time(session.dosing_started_at),
        "dose": _dose(session),
        "planned_dose": f"{plan.dose_mg} mg (plan v{plan.version})",
        "deviation": (
            f"{session.deviation_dose_mg} mg instead of {plan.dose_mg} mg, decided by "
            f"{session.deviation_by.display_name} at {_time(session.deviation_at)}: "
            f"{session.deviation_reason}"
            if session.deviation_reason and session.deviation_by
            else "None"
        ),
        "lot_number": session.lot_number or "Not recorded",
        "devices": session.device_count,
        "total_minutes": minutes,
        "total_minutes_text": minutes_text,
        "ready_to_leave": _time(session.ready_to_leave_at),
        "vitals_before_dosing": _before_dosing(session, clinic),
        "vitals_before_discharge": _before_discharge(session, clinic),
        "bp_before": str(Vitals(session.pre_systolic, session.pre_diastolic)),
        "bp_40": f"{at_40.systolic_bp}/{at_40.diastolic_bp} mmHg (minute {at_40.minute})"
        if at_40
        else "Not recorded",
        "bp_discharge": str(Vitals(session.discharge_systolic, session.discharge_diastolic)),
        "sedation": "Not recorded" if session.moaas is None else f"MOAA/S {session.moaas}",
        "dissociation": "Not recorded"
        if session.cadss_total is None
        else f"CADSS-6 total {session.cadss_total}",
        "respiratory_depression": "Yes" if session.respiratory_depression else "No",
        "serious_adverse_event": "Yes" if session.serious_adverse_event else "No",
        "adverse_events": session.adverse_events or "None recorded",
        "prescriber": plan.approver_printed_name or "Not recorded",
        "attestation": (
            f"I, {plan.approver_printed_name or 'the prescriber'}, attest that this patient was "
            "dosed and monitored in this certified healthcare setting under my supervision, "
            "and that the information above is accurate."
        ),
        "due_at": session.rems_due_at,
        "submitted_at": session.rems_submitted_at,
    }
