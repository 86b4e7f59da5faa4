"""A case as one FHIR R4 Bundle (collection): the patient, the clinic, the practitioners named,
each consent with its sealed PDF and signature provenance, each approved plan as a CarePlan and
its MedicationRequest with provenance, every questionnaire response with its score, the vital
signs, the sealed case summary as a DocumentReference with its PDF, and what an imported Bundle
brought (as received, interop.ImportedResource). Every
resource is checked with the fhir.resources R4B models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from api.records import CASE_SUMMARY, CONSENT, sealed_records
from consent.models import ConsentSignature, ConsentWithdrawal
from consent.selectors import countersignature_of
from core.errors import ValidationFailed
from core.models import User
from interop.fhir import resources as r
from interop.models import ImportedResource
from planning.intake.models import Evaluation, QuestionnaireResponse
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.models import DosingPlan, TreatmentSession

Resource = dict[str, Any]
REFERENCE = re.compile(
    r"^(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/(?P<v>.+))?$"
)
LOCAL_USER = re.compile(r"^user-[0-9]{1,18}$")  # imported practitioners are kept as received
PLAN_STATUS = {
    CaseState.COMPLETED: "completed",
    CaseState.WITHDRAWN: "revoked",
    CaseState.INELIGIBLE: "revoked",
    CaseState.ON_HOLD: "on-hold",
}
ORDER_STATUS = {
    "active": "active",
    "completed": "completed",
    "revoked": "stopped",
    "on-hold": "on-hold",
}


def validate(resource: Resource) -> Resource:
    """Check the resource with its R4B model; raise ValidationFailed naming what is wrong."""
    try:
        model = get_fhir_model_class(resource.get("resourceType", ""))
        model.model_validate(resource)
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(
            {"resource": str(exc)[:2000]}, "Not a valid FHIR R4 resource."
        ) from exc
    return resource


def full_url(resource: Resource) -> str:
    base = (settings.PATHWAY_BASE_URL or "http://localhost").rstrip("/")
    return f"{base}/fhir/{resource['resourceType']}/{resource['id']}"


def case_bundle(case: Case) -> Resource:
    resources = [r.patient_resource(case.patient), r.organization_resource()]
    resources += _consents(case)
    resources += _plans(case)
    resources += _questionnaires(case)
    resources += _vitals(case)
    resources += _documents(case)
    resources += _imported(case)
    resources[2:2] = _practitioners(resources)
    bundle: Resource = {
        "resourceType": "Bundle",
        "id": f"case-{case.pk}",
        "identifier": {"system": "urn:pathway:case", "value": str(case.pk)},
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [{"fullUrl": full_url(res), "resource": validate(res)} for res in resources],
    }
    return validate(bundle)


def searchset(resources: list[Resource]) -> Resource:
    return validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "entry": [
                {"fullUrl": full_url(res), "resource": validate(res), "search": {"mode": "match"}}
                for res in resources
            ],
        }
    )


def consent_resources(case_ids: list[int], *, with_provenance: bool = True) -> list[Resource]:
    signatures = ConsentSignature.objects.filter(case_id__in=case_ids).select_related(
        "version__document", "countersignature"
    )
    withdrawn = set(
        ConsentWithdrawal.objects.filter(case_id__in=case_ids).values_list(
            "signature_id", flat=True
        )
    )
    latest = {s.case_id: s.pk for s in signatures.order_by("signed_at", "pk")}
    final = set(
        Case.objects.filter(
            pk__in=case_ids, state__in=[CaseState.WITHDRAWN, CaseState.INELIGIBLE]
        ).values_list("pk", flat=True)
    )
    found: list[Resource] = []
    for signature in signatures.order_by("signed_at", "pk"):
        pdfs = sealed_records(
            signature.case_id, kinds=(CONSENT,), record_id=signature.pk, with_bytes=True
        )
        current = latest[signature.case_id] == signature.pk and signature.case_id not in final
        status = "active" if current and signature.pk not in withdrawn else "inactive"
        found.append(r.consent_resource(signature, pdfs[0] if pdfs else None, status=status))
        if with_provenance:
            found.append(r.consent_provenance(signature, countersignature_of(signature)))
    return found


def _consents(case: Case) -> list[Resource]:
    return consent_resources([case.pk])


def _plans(case: Case) -> list[Resource]:
    approved = list(
        DosingPlan.objects.filter(case=case, status=DosingPlan.Status.APPROVED)
        .select_related("protocol", "case")
        .order_by("version")
    )
    superseded = {p.supersedes_id for p in approved if p.supersedes_id}
    found: list[Resource] = []
    for plan in approved:
        status = "revoked" if plan.pk in superseded else PLAN_STATUS.get(case.state, "active")
        found.append(r.care_plan_resource(plan, status=status))
        found.append(r.medication_request_resource(plan, status=ORDER_STATUS[status]))
        found.append(r.plan_provenance(plan))
    return found


def _documents(case: Case) -> list[Resource]:
    """Sealed records with no clinical resource of their own: the case summary (its latest
    version), as a DocumentReference with the PDF. (Consent PDFs travel in their Consent.)"""
    found = sealed_records(case.pk, kinds=(CASE_SUMMARY,), with_bytes=True)
    return [r.case_summary_document(record, case.patient_id) for record in found]


def _questionnaires(case: Case) -> list[Resource]:
    found: list[Resource] = []
    imported = ImportedResource.objects.filter(case=case).exclude(local_response=None)
    imported_ids = imported.values("local_response")
    responses = (
        QuestionnaireResponse.objects.filter(case=case)
        .exclude(pk__in=imported_ids)  # exported as received, with their source authorship
        .select_related("definition", "case")
        .order_by("recorded_at", "pk")
    )
    for response in responses:
        found.append(r.questionnaire_response_resource(response))
        score = r.score_observation(response)
        if score is not None:
            found.append(score)
    return found


def _vitals(case: Case) -> list[Resource]:
    found: list[Resource] = []
    evaluations = Evaluation.objects.filter(case=case, superseded_by=None).select_related("case")
    for evaluation in evaluations.order_by("recorded_at"):
        found += r.evaluation_observations(evaluation)
    sessions = (
        TreatmentSession.objects.filter(case=case)
        .select_related("case")
        .prefetch_related("vitals")
        .order_by("number")
    )
    for session in sessions:
        found += r.session_observations(session, list(session.vitals.all()))
    return found


def _imported(case: Case) -> list[Resource]:
    """What an imported Bundle brought, as received (interop.ImportedResource)."""
    return [row.resource for row in ImportedResource.objects.filter(case=case).order_by("position")]


def _practitioners(resources: list[Resource]) -> list[Resource]:
    ids = sorted(
        {
            int(found["id"][5:])
            for found in references(resources)
            if found["type"] == "Practitioner" and LOCAL_USER.match(found["id"])
        }
    )
    return [r.practitioner_resource(user) for user in User.objects.filter(pk__in=ids)]


def references(value: Any) -> Iterator[dict[str, str]]:
    """Every `reference` inside a resource (or list of them), parsed."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                match = REFERENCE.match(item)
                yield (
                    {"type": match["type"], "id": match["id"], "version": match["v"] or ""}
                    if match
                    else {"type": "", "id": item, "version": ""}
                )
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def unresolved_references(bundle: Resource) -> list[str]:
    """References that name no resource in the bundle (or a version it does not hold)."""
    held: dict[tuple[str, str], str] = {}
    for entry in bundle.get("entry", []):
        res = entry["resource"]
        held[(res["resourceType"], res["id"])] = res.get("meta", {}).get("versionId", "")
    missing = []
    for found in references([e["resource"] for e in bundle.get("entry", [])]):
        key = (found["type"], found["id"])
        if key not in held or (found["version"] and held[key] != found["version"]):
            missing.append(f"{found['type']}/{found['id']}")
    return missing
