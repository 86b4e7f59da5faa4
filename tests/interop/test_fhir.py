"""The FHIR export, endpoints and import: every resource validates with the R4B models, every
reference inside the Bundle resolves (the round trip is in test_fhir_round_trip)."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from fhir.resources.R4B import get_fhir_model_class

from core.models import AuditEntry, Patient
from interop.fhir.bundle import case_bundle
from interop.fhir.importer import KEPT_TYPES
from planning.intake.models import QuestionnaireResponse
from planning.pathway.models import Case
from tests.api.conftest import token_client
from tests.interop.conftest import add_session_vitals

pytestmark = pytest.mark.django_db


def _walk(value, found):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.append(item)
            else:
                _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)
    return found


def dangling(bundle: dict) -> list[str]:
    held = {
        (e["resource"]["resourceType"], e["resource"]["id"]): e["resource"].get("meta", {})
        for e in bundle["entry"]
    }
    missing = []
    for reference in _walk([e["resource"] for e in bundle["entry"]], []):
        match = re.fullmatch(r"(\w+)/([^/]+)(?:/_history/(.+))?", reference)
        key = (match[1], match[2]) if match else None
        if key not in held or (match[3] and held[key].get("versionId") != match[3]):
            missing.append(reference)
    return missing


def _by_type(bundle: dict, resource_type: str) -> list[dict]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def test_case_bundle_validates_and_every_reference_resolves(journey_case) -> None:
    from planning.followups.summary import case_summary_seal

    case_summary_seal(case_id=journey_case.pk, actor=None)  # every kind an export holds
    bundle = json.loads(json.dumps(case_bundle(journey_case)))  # as it travels
    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
    assert dangling(bundle) == []
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert types == KEPT_TYPES | {"Patient"}


def test_walker_finds_a_dangling_reference(journey_case) -> None:
    bundle = case_bundle(journey_case)
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] != "Practitioner"
    ]
    assert any(ref.startswith("Practitioner/") for ref in dangling(bundle))


def test_consent_carries_the_sealed_pdf_with_both_hashes(journey_case) -> None:
    bundle = case_bundle(journey_case)
    (consent,) = _by_type(bundle, "Consent")
    source = consent["sourceAttachment"]
    pdf = base64.b64decode(source["data"])
    assert pdf.startswith(b"%PDF")
    assert source["hash"] == base64.b64encode(hashlib.sha1(pdf).digest()).decode()  # noqa: S324
    assert source["extension"][0]["valueString"] == hashlib.sha256(pdf).hexdigest()
    assert consent["status"] == "active" and consent["scope"]["coding"][0]["code"] == "treatment"
    signatures = {p["signature"][0]["type"][0]["code"]: p for p in _by_type(bundle, "Provenance")}
    consent_sig = signatures["1.2.840.10065.1.12.1.7"]
    assert consent_sig["target"][0]["reference"] == f"Consent/{consent['id']}/_history/1"
    assert consent_sig["signature"][0]["who"]["reference"] == f"Patient/{journey_case.patient_id}"
    author = signatures["1.2.840.10065.1.12.1.1"]
    assert author["signature"][0]["who"]["reference"].startswith("Practitioner/")


def test_case_summary_travels_as_a_document_reference_with_its_pdf(journey_case) -> None:
    from planning.followups.summary import case_summary_seal
    from records.keys import trust_root_pem
    from records.validation import verify_pdf

    assert _by_type(case_bundle(journey_case), "DocumentReference") == []  # none sealed yet
    first = case_summary_seal(case_id=journey_case.pk, actor=None).record
    (document,) = _by_type(case_bundle(journey_case), "DocumentReference")
    assert document["id"] == f"case-summary-{journey_case.pk}"
    assert document["type"]["coding"][0]["code"] == "34133-9"
    assert document["subject"]["reference"] == f"Patient/{journey_case.patient_id}"
    attachment = document["content"][0]["attachment"]
    pdf = base64.b64decode(attachment["data"])
    assert (
        hashlib.sha256(pdf).hexdigest() == first.sha256 == attachment["extension"][0]["valueString"]
    )
    assert verify_pdf(pdf, trust_root_pem=trust_root_pem()).ok


def test_plan_dose_mg_per_kg_and_rate_over_the_infusion(journey_case) -> None:
    bundle = case_bundle(journey_case)
    (order,) = _by_type(bundle, "MedicationRequest")
    (care_plan,) = _by_type(bundle, "CarePlan")
    plan = journey_case.plans.get()
    dosage = order["dosageInstruction"][0]
    ordered, calculated = dosage["doseAndRate"]
    assert ordered["doseQuantity"] == {
        "value": 0.5,
        "unit": "mg/kg",
        "system": "http://unitsofmeasure.org",
        "code": "mg/kg",
    }
    assert calculated["doseQuantity"]["value"] == float(plan.dose_mg)
    assert calculated["rateRatio"]["denominator"]["value"] == plan.infusion_minutes == 40
    assert dosage["route"]["coding"][0]["code"] == "47625008"
    assert dosage["timing"]["repeat"]["count"] == 6
    assert care_plan["activity"][0]["reference"]["reference"] == f"MedicationRequest/{order['id']}"
    assert care_plan["status"] == "active" and order["status"] == "active"


def test_questionnaires_scores_and_vitals(journey_case) -> None:
    bundle = case_bundle(journey_case)
    responses = _by_type(bundle, "QuestionnaireResponse")
    assert len(responses) == QuestionnaireResponse.objects.filter(case=journey_case).count() >= 2
    observations = _by_type(bundle, "Observation")
    codes = {o["code"]["coding"][0]["code"]: o for o in observations}
    panel = codes["85354-9"]
    assert [c["code"]["coding"][0]["code"] for c in panel["component"]] == ["8480-6", "8462-4"]
    assert {"8867-4", "59408-5", "29463-7"} <= set(codes)
    phq9 = codes["44261-6"]
    source = phq9["derivedFrom"][0]["reference"]
    assert source in {f"QuestionnaireResponse/{r['id']}" for r in responses}
    stored = QuestionnaireResponse.objects.get(pk=int(source.rsplit("-", 1)[1]))
    assert phq9["valueInteger"] == stored.total


def test_fhir_endpoints(journey_case, physician, patient_user) -> None:
    client = token_client(physician)
    patient_id = journey_case.patient_id
    read = client.get(f"/fhir/Patient/{patient_id}")
    assert read.status_code == 200 and read["Content-Type"].startswith("application/fhir+json")
    assert read.json()["identifier"][0]["value"] == journey_case.patient.mrn
    search = client.get(f"/fhir/Consent?patient=Patient/{patient_id}").json()
    assert search["type"] == "searchset" and search["total"] == 1
    assert search["entry"][0]["resource"]["patient"]["reference"] == f"Patient/{patient_id}"
    missing = client.get("/fhir/Patient/999999")
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"
    assert client.get("/fhir/Consent").status_code == 400
    from rest_framework.test import APIClient

    patient = APIClient()
    patient.force_authenticate(patient_user)
    refused = patient.get(f"/fhir/Patient/{patient_id}")
    assert (
        refused.status_code == 403 and refused.json()["issue"][0]["details"]["text"] == "forbidden"
    )


def test_post_patient_opens_a_case_and_bad_input_changes_nothing(admin_staff) -> None:
    client = token_client(admin_staff)
    resource = {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:pathway:mrn", "value": "EXT-77"}],
        "name": [{"family": "Vance", "given": ["Ida", "May"]}],
        "birthDate": "1979-04-02",
        "gender": "female",
        "telecom": [{"system": "email", "value": "ida@example.invalid"}],
    }
    created = client.post("/fhir/Patient", resource, format="json")
    assert created.status_code == 201, created.json()
    patient = Patient.objects.get(mrn="EXT-77")
    assert created["Location"] == f"/fhir/Patient/{patient.pk}"
    assert (patient.given_name, patient.sex_at_birth, patient.email) == (
        "Ida May",
        "female",
        "ida@example.invalid",
    )
    assert Case.objects.get(patient=patient).state == "consultation"
    assert AuditEntry.objects.filter(action="case.open", actor=admin_staff).exists()
    before = (Patient.objects.count(), Case.objects.count())
    for bad in (
        {**resource, "birthDate": "not a date"},
        {
            **resource,
            "identifier": [{"system": "urn:pathway:mrn", "value": "EXT-78"}],
            "birthDate": None,
        },
        resource,  # the same record number again
        ["not", "a", "resource"],
    ):
        refused = client.post("/fhir/Patient", bad, format="json")
        assert refused.status_code == 400, refused.json()
        assert refused.json()["resourceType"] == "OperationOutcome"
    assert (Patient.objects.count(), Case.objects.count()) == before


def test_session_vitals_become_observations(journey_case) -> None:
    session = add_session_vitals(journey_case)
    bundle = case_bundle(journey_case)
    ids = {o["id"] for o in _by_type(bundle, "Observation")}
    assert {f"session-{session.pk}-pre-bp", f"session-{session.pk}-pre-hr"} <= ids
    assert f"session-{session.pk}-pre-spo2" not in ids  # not measured, not invented
    reading_bp = next(
        o
        for o in _by_type(bundle, "Observation")
        if o["id"].endswith("-bp") and o["id"].startswith("reading-")
    )
    assert [c["valueQuantity"]["value"] for c in reading_bp["component"]] == [141, 88]
    assert dangling(bundle) == []
