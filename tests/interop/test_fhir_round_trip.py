"""A case exported as a FHIR Bundle, imported into a fresh database and exported again gives the
same clinical content; an import is all or nothing, and what cannot be imported faithfully is
refused with the reason."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from core.models import AuditEntry, Patient
from interop.fhir.bundle import case_bundle, references, unresolved_references, validate
from interop.fhir.importer import KEPT_TYPES
from interop.models import ImportedResource
from planning.followups.summary import case_summary_seal
from planning.intake.models import QuestionnaireResponse, SafetyAlert
from planning.pathway.models import Case
from planning.treatment.models import DosingPlan
from tests.api.conftest import run_journey, token_client
from tests.interop.conftest import add_session_vitals

pytestmark = pytest.mark.django_db

Resource = dict[str, Any]


def _bare(value: Any) -> Any:
    """A resource without its id and without the references it holds."""
    if isinstance(value, dict):
        return {k: _bare(v) for k, v in value.items() if k not in ("id", "reference")}
    if isinstance(value, list):
        return [_bare(v) for v in value]
    return value


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def clinical_content(bundle: Resource) -> list[str]:
    """Every resource but the exporting clinic's Organization, with ids dropped and each
    reference replaced by the content of what it names (so record ids, fullUrls and the Bundle's
    own id and time stamp do not count), sorted."""
    resources = [e["resource"] for e in bundle["entry"]]
    named = {(r["resourceType"], r["id"]): _digest(_bare(r)) for r in resources}

    def normal(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == "id":
                    continue
                if key == "reference":
                    found = next(references({"reference": item}))
                    out[key] = f"{found['type']}:{named[(found['type'], found['id'])]}"
                    if found["version"]:
                        out[key] += f"/_history/{found['version']}"
                else:
                    out[key] = normal(item)
            return out
        if isinstance(value, list):
            return [normal(v) for v in value]
        return value

    return sorted(
        json.dumps(normal(r), sort_keys=True)
        for r in resources
        if r["resourceType"] != "Organization"
    )


@pytest.fixture
def exported(sealing: Any, tmp_path: Any) -> Resource:
    """A journey case (consent, evaluation with questionnaires, approved plan, a session with
    vitals, a sealed case summary) exported, then rolled back: the import that follows runs on
    a fresh database."""
    path = tmp_path / "bundle.json"

    def journey_then_roll_back() -> None:
        with transaction.atomic():
            case = run_journey(tmp_path)
            add_session_vitals(case)
            case_summary_seal(case_id=case.pk, actor=None)
            call_command("export_fhir", case.pk, out=path, stderr=io.StringIO())
            raise LookupError("roll back")

    with pytest.raises(LookupError):
        journey_then_roll_back()
    assert not Case.objects.exists() and not Patient.objects.exists()
    bundle: Resource = json.loads(path.read_text())
    return bundle


def _import(bundle: Resource, tmp_path: Any) -> Case:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(bundle))
    out = io.StringIO()
    call_command("import_fhir", path, stdout=out)
    return Case.objects.get(pk=int(out.getvalue().split()[1]))


def _import_export_rolled_back(bundle: Resource, tmp_path: Any) -> Resource:
    exported: list[Resource] = []

    def import_export_roll_back() -> None:
        with transaction.atomic():
            exported.append(case_bundle(_import(bundle, tmp_path)))
            raise LookupError("roll back")

    with pytest.raises(LookupError):
        import_export_roll_back()
    assert not Case.objects.exists()
    return exported[0]


def test_export_import_export_gives_the_same_clinical_content(
    exported, tmp_path, physician, admin_staff
) -> None:
    first = exported
    kinds = {e["resource"]["resourceType"] for e in first["entry"]}
    assert kinds == KEPT_TYPES | {"Patient"}  # every kind an export holds
    second = _import_export_rolled_back(first, tmp_path)
    assert clinical_content(second) == clinical_content(first)
    # The re-export imports again (into a fresh database) to the same content.
    case = _import(second, tmp_path)
    third = case_bundle(case)
    assert clinical_content(third) == clinical_content(first)
    assert unresolved_references(third) == []
    for entry in third["entry"]:
        validate(entry["resource"])
    # The clinic's own records: the patient, the case, the re-scored answers.
    assert (
        case.patient.mrn
        == next(
            e["resource"] for e in first["entry"] if e["resource"]["resourceType"] == "Patient"
        )["identifier"][0]["value"]
    )
    responses = QuestionnaireResponse.objects.filter(case=case)
    assert responses.count() == sum(
        e["resource"]["resourceType"] == "QuestionnaireResponse" for e in first["entry"]
    )
    assert responses.get(definition__code="phq9").total is not None
    # Imported plans are history: no plan of this clinic, nothing signed here, no dose possible.
    assert not DosingPlan.objects.filter(case=case).exists()
    assert case.state == "consultation"
    entry = AuditEntry.objects.get(action="case.imported", case_id=case.pk)
    assert entry.data["note"] == "imported from FHIR bundle"
    assert entry.data["source_plan_status"] == "active"
    kept = ImportedResource.objects.filter(case=case)
    assert kept.filter(resource_type="MedicationRequest").count() == 1
    # The case page shows the imported history, read only, to clinical staff only.
    order = kept.get(resource_type="MedicationRequest").resource["dosageInstruction"][0]["text"]
    client = Client()
    client.force_login(physician)
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="imported-history"' in page and escape(order) in page
    client.force_login(admin_staff)
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="imported-history"' not in page
    consent = kept.get(resource_type="Consent").resource
    pdf = base64.b64decode(consent["sourceAttachment"]["data"])
    assert pdf.startswith(b"%PDF-")
    assert consent["sourceAttachment"]["extension"][0]["valueString"] == (
        hashlib.sha256(pdf).hexdigest()
    )


def _entry(bundle: Resource, resource_type: str) -> Resource:
    return next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    )


def _counts() -> tuple[int, ...]:
    return (
        Patient.objects.count(),
        Case.objects.count(),
        QuestionnaireResponse.objects.count(),
        ImportedResource.objects.count(),
        SafetyAlert.objects.count(),
    )


def _tampered_pdf(bundle: Resource) -> None:
    attachment = _entry(bundle, "Consent")["sourceAttachment"]
    pdf = bytearray(base64.b64decode(attachment["data"]))
    pdf[len(pdf) // 2] ^= 0x01
    attachment["data"] = base64.b64encode(bytes(pdf)).decode()


def _tampered_summary(bundle: Resource) -> None:
    attachment = _entry(bundle, "DocumentReference")["content"][0]["attachment"]
    pdf = bytearray(base64.b64decode(attachment["data"]))
    pdf[len(pdf) // 3] ^= 0x01
    attachment["data"] = base64.b64encode(bytes(pdf)).decode()


def _wrong_score(bundle: Resource) -> None:
    score = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation" and "derivedFrom" in e["resource"]
    )
    score["valueInteger"] += 1


BAD = {
    "an unknown resource type": (
        lambda b: b["entry"].append(
            {
                "resource": {
                    "resourceType": "Encounter",
                    "id": "x",
                    "status": "finished",
                    "class": {"code": "AMB"},
                }
            }
        ),
        "cannot import Encounter",
    ),
    "an invalid resource": (
        lambda b: _entry(b, "CarePlan").update(created="yesterday"),
        "Not a valid FHIR R4 resource",
    ),
    "a dangling reference": (
        lambda b: _entry(b, "MedicationRequest").update(
            requester={"reference": "Practitioner/nobody"}
        ),
        "do not resolve",
    ),
    "a second patient": (
        lambda b: b["entry"].append(copy.deepcopy(b["entry"][0])),
        "exactly one Patient",
    ),
    "a changed byte in the sealed PDF": (_tampered_pdf, "does not match its size and hashes"),
    "a changed byte in the case summary PDF": (
        _tampered_summary,
        "DocumentReference/case-summary-",
    ),
    "a score that is not the answers' score": (_wrong_score, "not the clinic's score"),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_bad_bundles_are_refused_and_nothing_is_written(exported, tmp_path, bad) -> None:
    change, message = BAD[bad]
    bundle = copy.deepcopy(exported)
    change(bundle)
    before = _counts()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(CommandError, match=message):
        call_command("import_fhir", path, stdout=io.StringIO())
    assert _counts() == before


def test_the_api_imports_a_bundle_and_refuses_a_bad_one(exported, admin_staff) -> None:
    client = token_client(admin_staff)
    bad = copy.deepcopy(exported)
    _tampered_pdf(bad)
    before = _counts()
    refused = client.post("/fhir/Patient", bad, format="json")
    assert refused.status_code == 400 and refused.json()["resourceType"] == "OperationOutcome"
    assert _counts() == before
    created = client.post("/fhir/Patient", exported, format="json")
    assert created.status_code == 201, created.json()
    assert ImportedResource.objects.filter(resource_type="CarePlan").count() == 1
