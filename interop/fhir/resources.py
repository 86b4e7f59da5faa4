"""One Pathway record -> one FHIR R4 resource (as JSON-ready dicts). Pure: the caller reads
the records (interop.fhir.bundle) and the sealed PDFs (api.records)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from api.records import SealedRecord
from consent.models import ConsentCountersignature, ConsentSignature, Countersignature
from core.models import Patient, User
from interop.fhir import codes as c
from planning.intake.models import Evaluation, QuestionnaireResponse
from planning.treatment.models import DoseUnit, DosingPlan, TreatmentSession, VitalSignReading

Resource = dict[str, Any]
CLINIC_ID = "clinic"


def ref(resource_type: str, resource_id: str, version: str | None = None) -> dict[str, str]:
    history = f"/_history/{version}" if version else ""
    return {"reference": f"{resource_type}/{resource_id}{history}"}


def patient_ref(patient_id: int) -> dict[str, str]:
    return ref("Patient", str(patient_id))


def practitioner_id(user_id: int) -> str:
    return f"user-{user_id}"


def _when(moment: datetime | date) -> str:
    return moment.isoformat()


def _number(value: Decimal | int) -> int | float:
    return int(value) if Decimal(value) == int(value) else float(value)


def _quantity(value: Decimal | int, unit: str, code: str | None = None) -> dict[str, Any]:
    return {"value": _number(value), "unit": unit, "system": c.UCUM, "code": code or unit}


def patient_resource(patient: Patient) -> Resource:
    telecom = [{"system": "email", "value": patient.email}] if patient.email else []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"system": c.MRN_SYSTEM, "value": patient.mrn}],
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": c.GENDERS.get(patient.sex_at_birth, "unknown"),
        "birthDate": patient.date_of_birth.isoformat(),
    }
    if telecom:
        resource["telecom"] = telecom
    return resource


def organization_resource() -> Resource:
    return {"resourceType": "Organization", "id": CLINIC_ID, "name": settings.CLINIC_NAME}


def practitioner_resource(user: User) -> Resource:
    return {
        "resourceType": "Practitioner",
        "id": practitioner_id(user.pk),
        "identifier": [{"system": "urn:pathway:user", "value": user.username}],
        "name": [{"text": user.display_name}],
    }


def attachment(record: SealedRecord) -> Resource:
    """The sealed PDF: `hash` is FHIR's base64 SHA-1; SHA-256 (hex) travels in an extension."""
    data = record.pdf or b""
    return {
        "contentType": "application/pdf",
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),  # noqa: S324
        "title": record.title,
        "creation": _when(record.created_at),
        "extension": [{"url": c.SHA256_EXTENSION, "valueString": record.sha256}],
    }


def case_summary_document(record: SealedRecord, patient_id: int) -> Resource:
    """The sealed case summary (latest version) as a DocumentReference carrying the PDF."""
    return {
        "resourceType": "DocumentReference",
        "id": f"case-summary-{record.case_id}",
        "meta": {"versionId": "1"},
        "status": "current",
        "docStatus": "final",
        "type": c.concept(c.LOINC, c.CASE_SUMMARY_DOCUMENT),
        "category": [c.concept(c.LOINC, c.CASE_SUMMARY_DOCUMENT)],
        "subject": patient_ref(patient_id),
        "date": _when(record.created_at),
        "custodian": ref("Organization", CLINIC_ID),
        "description": record.title,
        "content": [{"attachment": attachment(record)}],
    }


def consent_id(signature: ConsentSignature) -> str:
    return f"consent-{signature.pk}"


def consent_resource(
    signature: ConsentSignature, pdf: SealedRecord | None, *, status: str
) -> Resource:
    version = signature.version
    resource: Resource = {
        "resourceType": "Consent",
        "id": consent_id(signature),
        "meta": {"versionId": "1"},
        "status": status,
        "scope": c.concept(c.CONSENT_SCOPE, ("treatment", "Treatment")),
        "category": [c.concept(c.LOINC, ("59284-0", "Patient Consent"))],
        "patient": patient_ref(signature.patient_id),
        "dateTime": _when(signature.signed_at),
        "performer": [patient_ref(signature.patient_id)]
        + ([representative_ref(signature)] if signature.by_representative else []),
        "organization": [ref("Organization", CLINIC_ID)],
        "policyRule": {
            "coding": [{"system": c.CONSENT_VERSION_SYSTEM, "code": str(version.pk)}],
            "text": f"{version.document.title} {version.label} (SHA-256 {version.body_sha256})",
        },
        "provision": {"type": "permit", "period": {"start": _when(signature.signed_at)}},
    }
    if pdf is not None:
        resource["sourceAttachment"] = attachment(pdf)
    return resource


def signature_element(
    kind: tuple[str, str], when: datetime, who: dict[str, str], **extra: object
) -> Resource:
    return {"type": [c.coding(c.ASTM_SIGNATURE, kind)], "when": _when(when), "who": who, **extra}


def representative_ref(signature: ConsentSignature) -> dict[str, str]:
    """A legally authorised representative has no resource of their own: named by display."""
    return {
        "display": f"{signature.representative_name} ({signature.representative_relationship}), "
        f"legally authorised representative of the patient "
        f"({signature.representative_authority}"
        + (
            f": {signature.representative_authority_detail})"
            if signature.representative_authority_detail
            else ")"
        )
    }


def consent_provenance(
    signature: ConsentSignature, counter: ConsentCountersignature | None = None
) -> Resource:
    """The signature of the patient, or of their legally authorised representative on their
    behalf: the drawn image, over the exact reviewed HTML; and the countersignature, if the
    consent has one (`countersignature_parts`)."""
    patient = patient_ref(signature.patient_id)
    who = representative_ref(signature) if signature.by_representative else patient
    behalf = {"onBehalfOf": patient} if signature.by_representative else {}
    agents: list[Resource] = [
        {"type": c.concept(c.PARTICIPANT_TYPE, ("author", "Author")), "who": who, **behalf}
    ]
    signatures: list[Resource] = [
        signature_element(
            c.SIGNATURE_CONSENT,
            signature.signed_at,
            who,
            targetFormat="text/html",
            sigFormat="image/png",
            data=base64.b64encode(bytes(signature.image_png)).decode("ascii"),
            **behalf,
        )
    ]
    if counter is not None:
        agent, element = countersignature_parts(counter)
        agents.append(agent)
        signatures.append(element)
    return {
        "resourceType": "Provenance",
        "id": f"prov-{consent_id(signature)}",
        "target": [ref("Consent", consent_id(signature), "1")],
        "recorded": _when(counter.signed_at if counter is not None else signature.signed_at),
        "agent": agents,
        "signature": signatures,
    }


def countersignature_parts(counter: ConsentCountersignature) -> tuple[Resource, Resource]:
    """A clinician's countersignature: a verifier (Practitioner) with a Verification Signature
    (an e-signature: no image). A witness's: an attester named by display, with who captured it
    in the clinic, and a Consent Witness Signature carrying the drawn image."""
    if counter.kind == Countersignature.CLINICIAN:
        who = ref("Practitioner", practitioner_id(counter.staff_id))
        agent = {"type": c.concept(c.PARTICIPANT_TYPE, ("verifier", "Verifier")), "who": who}
        return agent, signature_element(c.SIGNATURE_VERIFICATION, counter.signed_at, who)
    who = {"display": f"{counter.witness_name} (witness, captured by {counter.staff_name})"}
    agent = {"type": c.concept(c.PARTICIPANT_TYPE, ("attester", "Attester")), "who": who}
    image = base64.b64encode(bytes(counter.image_png)).decode("ascii")
    element = signature_element(
        c.SIGNATURE_CONSENT_WITNESS, counter.signed_at, who, sigFormat="image/png", data=image
    )
    return agent, element


def plan_ids(plan: DosingPlan) -> tuple[str, str]:
    return f"plan-{plan.pk}", f"medreq-{plan.pk}"


def plan_provenance(plan: DosingPlan) -> Resource:
    """The physician's approval (an electronic signature): authorship of the plan and its order."""
    assert plan.approved_by_id is not None and plan.approved_at is not None
    who = ref("Practitioner", practitioner_id(plan.approved_by_id))
    care_plan, order = plan_ids(plan)
    return {
        "resourceType": "Provenance",
        "id": f"prov-{care_plan}",
        "target": [ref("CarePlan", care_plan, "1"), ref("MedicationRequest", order, "1")],
        "recorded": _when(plan.approved_at),
        "agent": [{"type": c.concept(c.PARTICIPANT_TYPE, ("author", "Author")), "who": who}],
        "reason": [{"text": plan.signature_meaning or "approved as treating physician"}],
        "signature": [signature_element(c.SIGNATURE_AUTHOR, plan.approved_at, who)],
    }


def care_plan_resource(plan: DosingPlan, *, status: str) -> Resource:
    assert plan.approved_by_id is not None and plan.approved_at is not None
    care_plan, order = plan_ids(plan)
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": care_plan,
        "meta": {"versionId": "1"},
        "status": status,
        "intent": "plan",
        "title": f"Ketamine treatment plan v{plan.version}",
        "description": f"{plan.sessions} sessions, {plan.frequency}. "
        f"Monitoring: {plan.monitoring_requirements}",
        "subject": patient_ref(plan.case.patient_id),
        "period": {"start": plan.start_date.isoformat()},
        "created": _when(plan.approved_at),
        "author": ref("Practitioner", practitioner_id(plan.approved_by_id)),
        "activity": [{"reference": ref("MedicationRequest", order)}],
    }
    if plan.supersedes_id is not None:
        resource["replaces"] = [ref("CarePlan", f"plan-{plan.supersedes_id}")]
    return resource


def _dose_and_rate(plan: DosingPlan) -> list[Resource]:
    calculated = {
        "type": c.concept(c.DOSE_RATE_TYPE, ("calculated", "Calculated")),
        "doseQuantity": _quantity(plan.dose_mg, "mg"),
    }
    if plan.infusion_minutes:
        calculated["rateRatio"] = {
            "numerator": _quantity(plan.dose_mg, "mg"),
            "denominator": _quantity(plan.infusion_minutes, "min"),
        }
    if plan.protocol.dose_unit != DoseUnit.MG_PER_KG or plan.dose_mg_per_kg is None:
        return [calculated]
    ordered = {
        "type": c.concept(c.DOSE_RATE_TYPE, ("ordered", "Ordered")),
        "doseQuantity": _quantity(plan.dose_mg_per_kg, "mg/kg"),
    }
    return [ordered, calculated]


def medication_request_resource(plan: DosingPlan, *, status: str) -> Resource:
    assert plan.approved_by_id is not None and plan.approved_at is not None
    care_plan, order = plan_ids(plan)
    drug = "esketamine" if plan.route == "intranasal_esketamine" else "ketamine"
    weight = f", computed from {plan.weight_kg_used} kg" if plan.weight_kg_used else ""
    return {
        "resourceType": "MedicationRequest",
        "id": order,
        "meta": {"versionId": "1"},
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": {"text": drug},
        "subject": patient_ref(plan.case.patient_id),
        "authoredOn": _when(plan.approved_at),
        "requester": ref("Practitioner", practitioner_id(plan.approved_by_id)),
        "basedOn": [ref("CarePlan", care_plan)],
        "dosageInstruction": [
            {
                "text": f"{plan.dose_mg} mg{weight}, {plan.get_route_display()}, "
                f"{plan.sessions} sessions {plan.frequency}",
                "timing": {"repeat": {"count": plan.sessions}, "code": {"text": plan.frequency}},
                "route": c.concept(c.SNOMED, c.ROUTES[plan.route]),
                "doseAndRate": _dose_and_rate(plan),
            }
        ],
    }


def questionnaire_canonical(code: str, version: int) -> str:
    return f"{c.QUESTIONNAIRE_BASE}{code}|{version}"


def questionnaire_response_resource(response: QuestionnaireResponse) -> Resource:
    definition = response.definition
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-{response.pk}",
        "questionnaire": questionnaire_canonical(definition.code, definition.version),
        "status": "completed",
        "subject": patient_ref(response.case.patient_id),
        "authored": _when(response.recorded_at),
        "item": [
            {"linkId": link_id, "answer": [{"valueInteger": int(value)}]}
            for link_id, value in response.answers.items()
        ],
    }
    if response.recorded_by_id is not None:
        resource["author"] = ref("Practitioner", practitioner_id(response.recorded_by_id))
    return resource


def score_observation(response: QuestionnaireResponse) -> Resource | None:
    loinc = c.SCORE_CODES.get(response.definition.code)
    if loinc is None or response.total is None:
        return None
    observation = _observation(
        f"qr-{response.pk}-score",
        "survey",
        loinc,
        response.case.patient_id,
        response.recorded_at,
        response.recorded_by_id,
    )
    observation["valueInteger"] = response.total
    observation["derivedFrom"] = [ref("QuestionnaireResponse", f"qr-{response.pk}")]
    if response.band:
        observation["interpretation"] = [{"text": response.band}]
    return observation


def _observation(
    obs_id: str,
    category: str,
    loinc: tuple[str, str],
    patient_id: int,
    when: datetime,
    performer_id: int | None,
) -> Resource:
    observation: Resource = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "category": [c.concept(c.OBSERVATION_CATEGORY, (category, category.title()))],
        "code": c.concept(c.LOINC, loinc),
        "subject": patient_ref(patient_id),
        "effectiveDateTime": _when(when),
    }
    if performer_id is not None:
        observation["performer"] = [ref("Practitioner", practitioner_id(performer_id))]
    return observation


def vital_observations(
    prefix: str,
    values: dict[str, Any],
    *,
    patient_id: int,
    when: datetime,
    performer_id: int | None,
) -> list[Resource]:
    """Blood-pressure panel, heart rate, SpO2 (and weight/height when given) at one moment."""

    def vital(suffix: str, loinc: tuple[str, str]) -> Resource:
        return _observation(
            f"{prefix}-{suffix}", "vital-signs", loinc, patient_id, when, performer_id
        )

    found: list[Resource] = []
    if values.get("systolic") is not None and values.get("diastolic") is not None:
        panel = vital("bp", c.BP_PANEL)
        panel["component"] = [
            {"code": c.concept(c.LOINC, c.SYSTOLIC), "valueQuantity": _mmhg(values["systolic"])},
            {"code": c.concept(c.LOINC, c.DIASTOLIC), "valueQuantity": _mmhg(values["diastolic"])},
        ]
        found.append(panel)
    units = {
        "heart_rate": (c.HEART_RATE, "/min", "hr"),
        "spo2": (c.SPO2, "%", "spo2"),
        "weight_kg": (c.BODY_WEIGHT, "kg", "weight"),
        "height_cm": (c.BODY_HEIGHT, "cm", "height"),
    }
    for key, (loinc, unit, suffix) in units.items():
        if values.get(key) is not None:
            observation = vital(suffix, loinc)
            observation["valueQuantity"] = _quantity(values[key], unit)
            found.append(observation)
    return found


def _mmhg(value: int) -> dict[str, Any]:
    return _quantity(value, "mmHg", "mm[Hg]")


def evaluation_observations(evaluation: Evaluation) -> list[Resource]:
    values = {
        "systolic": evaluation.systolic_bp,
        "diastolic": evaluation.diastolic_bp,
        "heart_rate": evaluation.heart_rate,
        "spo2": evaluation.spo2_percent,
        "weight_kg": evaluation.weight_kg,
        "height_cm": evaluation.height_cm,
    }
    return vital_observations(
        f"evaluation-{evaluation.pk}",
        values,
        patient_id=evaluation.case.patient_id,
        when=evaluation.recorded_at,
        performer_id=evaluation.recorded_by_id,
    )


def session_observations(
    session: TreatmentSession, readings: list[VitalSignReading]
) -> list[Resource]:
    """Pre-dose vitals (at dosing start) and each monitoring reading of a session."""
    moments: list[tuple[str, dict[str, Any], datetime, int | None]] = []
    if session.dosing_started_at is not None:
        pre = (
            session.pre_systolic,
            session.pre_diastolic,
            session.pre_heart_rate,
            session.pre_spo2,
        )
        moments.append(
            (
                f"session-{session.pk}-pre",
                dict(zip(VITALS, pre, strict=True)),
                session.dosing_started_at,
                session.signed_off_by_id,
            )
        )
    for reading in readings:
        values = (
            reading.systolic_bp,
            reading.diastolic_bp,
            reading.heart_rate,
            reading.spo2_percent,
        )
        moments.append(
            (
                f"reading-{reading.pk}",
                dict(zip(VITALS, values, strict=True)),
                reading.recorded_at,
                reading.recorded_by_id,
            )
        )
    return [
        observation
        for prefix, values, when, performer_id in moments
        for observation in vital_observations(
            prefix,
            values,
            patient_id=session.case.patient_id,
            when=when,
            performer_id=performer_id,
        )
    ]


VITALS = ("systolic", "diastolic", "heart_rate", "spo2")
