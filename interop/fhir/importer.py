"""A FHIR Patient (alone), or a Bundle with one Patient, opens a case.

What the clinic takes over as its own records: the patient's identity and contact details, and
questionnaire answers (re-scored here by the clinic's own definitions; a score in the Bundle
that differs from the clinic's is refused). Everything else a Pathway export holds (consents
with their sealed PDFs, signature provenance, approved plans and their medication orders with
the dosage as recorded, measurements, the sealed case summary (a DocumentReference with its
PDF), practitioners, the source clinic) is kept as received in
`interop.ImportedResource`: read-only history, exported again as it came, never a signature
made here. A signature made elsewhere is not a signature made here: the case opens at the start
of the pathway, the clinic consents and plans anew, and the audit trail says what came in.

All or nothing: an invalid resource, an unknown resource type, a reference that does not
resolve, a second Patient, a reference to another patient, a consent or case-summary PDF whose
hashes do not match, or a score that does not match its answers refuses the whole Bundle,
nothing written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import User
from core.validators import within_date_limits
from interop.fhir import codes as c
from interop.fhir.bundle import REFERENCE, unresolved_references, validate
from interop.models import ImportedResource
from planning.intake import scoring
from planning.intake.models import QuestionnaireDefinition, QuestionnaireResponse
from planning.intake.services import questionnaire_response_store
from planning.pathway import services
from planning.pathway.audit import audit_case
from planning.pathway.models import Case

Resource = dict[str, Any]
SYSTEM_USERNAME = "system.interop"
#: Kept as received (besides the Patient, which becomes the clinic's own record).
KEPT_TYPES = frozenset(
    {
        "Organization",
        "Practitioner",
        "Consent",
        "Provenance",
        "CarePlan",
        "MedicationRequest",
        "QuestionnaireResponse",
        "Observation",
        "DocumentReference",
    }
)
MAX_ENTRIES = 5000


def import_actor() -> User:
    """Who an import from the command line is recorded as: an account that cannot sign in and
    holds no role (the command is run by someone with shell access, who is trusted anyway)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Pathway", "last_name": "(FHIR import)", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def fhir_import(data: Any, *, actor: User) -> Case:
    """Open a case for the Patient in `data` (a Patient or a Bundle); all or nothing."""
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "Expected a FHIR Patient or Bundle (a JSON object)."})
    validate(data)
    resources = _resources(data) if _is_bundle(data) else [data]
    patients = [res for res in resources if res.get("resourceType") == "Patient"]
    if len(patients) != 1:
        raise ValidationFailed({"resourceType": "Expected exactly one Patient."})
    unknown = sorted({str(res.get("resourceType")) for res in resources} - KEPT_TYPES - {"Patient"})
    if unknown:
        raise ValidationFailed(
            {"resourceType": f"Pathway cannot import {', '.join(unknown)} resources."}
        )
    if _is_bundle(data):
        _check_bundle(data, resources, patients[0])
    with transaction.atomic():
        case = services.case_open_for(actor=actor, **patient_fields(patients[0]))
        kept = _keep(case, resources, patients[0], actor)
        audit_case(
            action="case.imported",
            actor=actor,
            case=case,
            target=f"patient:{case.patient_id}",
            data={
                "note": "imported from FHIR bundle",
                "bundle": _bundle_label(data),
                "resources": _counts(resources),
                "kept_as_history": kept,
                "source_plan_status": _latest(resources, "CarePlan", "status"),
                "source_consent_status": _latest(resources, "Consent", "status"),
            },
        )
    return case


def _resources(bundle: Resource) -> list[Resource]:
    entries = bundle.get("entry") or []
    if len(entries) > MAX_ENTRIES:
        raise ValidationFailed({"entry": f"At most {MAX_ENTRIES} entries can be imported."})
    found = [e.get("resource") for e in entries if isinstance(e, dict)]
    resources = [res for res in found if isinstance(res, dict)]
    if len(resources) != len(entries):
        raise ValidationFailed({"entry": "Every Bundle entry must hold a resource."})
    return [validate(res) for res in resources]


def _check_bundle(bundle: Resource, resources: list[Resource], patient: Resource) -> None:
    keys = [(res["resourceType"], res.get("id")) for res in resources]
    if any(rid is None for _, rid in keys):
        raise ValidationFailed({"id": "Every resource of a Bundle needs an id to be imported."})
    if len(set(keys)) != len(keys):
        raise ValidationFailed({"id": "Two resources of the Bundle have the same type and id."})
    missing = unresolved_references(bundle)
    if missing:
        shown = ", ".join(sorted(set(missing))[:10])
        raise ValidationFailed({"reference": f"References that do not resolve: {shown}."})
    for res in resources:
        if res["resourceType"] == "Consent":
            _check_attachment(res.get("sourceAttachment"), f"Consent/{res.get('id')}")
        if res["resourceType"] == "DocumentReference":
            where = f"DocumentReference/{res.get('id')}"
            for content in res.get("content") or []:
                _check_attachment(content.get("attachment"), where)
    _check_scores(resources)


def _check_attachment(found: Resource | None, where: str) -> None:
    """The sealed PDF must travel in the Bundle, and match its size and both hashes."""
    if found is None:
        return
    try:
        pdf = base64.b64decode(found.get("data") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed({"sourceAttachment": f"{where}: the PDF is not base64."}) from exc
    sha256 = next(
        (
            e.get("valueString")
            for e in found.get("extension", [])
            if e["url"] == c.SHA256_EXTENSION
        ),
        None,
    )
    sha1 = base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii")  # noqa: S324
    if (
        not pdf.startswith(b"%PDF-")
        or found.get("size") != len(pdf)
        or found.get("hash") != sha1
        or sha256 != hashlib.sha256(pdf).hexdigest()
    ):
        raise ValidationFailed(
            {"sourceAttachment": f"{where}: the sealed PDF does not match its size and hashes."}
        )


def _check_scores(resources: list[Resource]) -> None:
    """A score Observation derived from a response must equal the clinic's own scoring."""
    responses = {
        res["id"]: res for res in resources if res["resourceType"] == "QuestionnaireResponse"
    }
    for res in resources:
        derived = [d.get("reference", "") for d in res.get("derivedFrom", [])]
        source = [responses.get(ref.removeprefix("QuestionnaireResponse/")) for ref in derived]
        if res["resourceType"] != "Observation" or len(source) != 1 or source[0] is None:
            continue
        _, result = _scored(source[0])
        if result.total != res.get("valueInteger"):
            raise ValidationFailed(
                {
                    "Observation": f"Observation/{res['id']}: the score {res.get('valueInteger')} "
                    f"is not the clinic's score of its answers ({result.total})."
                }
            )


def _is_bundle(data: Resource) -> bool:
    return data.get("resourceType") == "Bundle"


def patient_fields(resource: Resource) -> dict[str, Any]:
    names = resource.get("name") or [{}]
    name = next((n for n in names if n.get("use") in (None, "official", "usual")), names[0])
    mrn = next(
        (i.get("value") for i in resource.get("identifier", []) if i.get("system") == c.MRN_SYSTEM),
        None,
    ) or next((i.get("value") for i in resource.get("identifier", []) if i.get("value")), "")
    fields = {
        "given_name": " ".join(name.get("given", [])),
        "family_name": name.get("family", ""),
        "date_of_birth": resource.get("birthDate"),
        "mrn": mrn,
    }
    missing = {key: "Required." for key, value in fields.items() if not value}
    if missing:
        raise ValidationFailed(missing, "The Patient needs a name, a birth date and an identifier.")
    fields["date_of_birth"] = _birth_date(str(fields["date_of_birth"]))
    fields["sex_at_birth"] = c.SEX_AT_BIRTH.get(resource.get("gender", ""), "unknown")
    for telecom in resource.get("telecom", []):
        if telecom.get("system") in ("email", "phone") and telecom.get("value"):
            fields.setdefault(telecom["system"], telecom["value"])
    return fields


def _birth_date(text: str) -> date:
    message = "A full birth date (YYYY-MM-DD) is required."
    if len(text) != 10 or not within_date_limits(text):
        raise ValidationFailed({"date_of_birth": message})
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({"date_of_birth": message}) from None


def _authored(text: str) -> datetime | None:
    """The response's time: a full date-time within the plausible years, not in the future."""
    if not text:
        return None
    message = "A full date and time (YYYY-MM-DDThh:mm:ss+zz:zz), not in the future."
    if not within_date_limits(text):
        raise ValidationFailed({"authored": message})
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({"authored": message}) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now():
        raise ValidationFailed({"authored": message})
    return value


def _scored(resource: Resource) -> tuple[QuestionnaireDefinition, scoring.ScoreResult]:
    canonical = str(resource.get("questionnaire", ""))
    code, _, version = canonical.removeprefix(c.QUESTIONNAIRE_BASE).partition("|")
    definition = QuestionnaireDefinition.objects.filter(
        code=code, version=int(version) if version.isdigit() else 1
    ).first()
    if not canonical.startswith(c.QUESTIONNAIRE_BASE) or definition is None:
        raise ValidationFailed({"questionnaire": f"Unknown questionnaire {canonical!r}."})
    answers = {
        item["linkId"]: answer.get("valueInteger")
        for item in resource.get("item", [])
        for answer in item.get("answer", [])[:1]
    }
    try:
        return definition, scoring.score(definition.parsed(), answers)
    except scoring.AnswerError as exc:
        raise ValidationFailed(dict(exc.errors), f"Invalid answers for {code}.") from exc


def _store_response(case: Case, resource: Resource) -> QuestionnaireResponse:
    definition, result = _scored(resource)
    return questionnaire_response_store(
        case,
        None,
        None,
        definition,
        result,
        recorded_at=_authored(str(resource.get("authored") or "")),
    )


def _new_id(case: Case, old: str) -> str:
    """Imported ids are prefixed with the case (never a Pathway id: those have no "i" prefix)."""
    new = f"i{case.pk}-{old}"
    return new if len(new) <= 64 else f"i{case.pk}-{hashlib.sha256(old.encode()).hexdigest()}"


def _rewrite(value: Any, ids: dict[tuple[str, str], str]) -> Any:
    if isinstance(value, dict):
        return {
            key: _reference(item, ids)
            if key == "reference" and isinstance(item, str)
            else _rewrite(item, ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(item, ids) for item in value]
    return value


def _reference(reference: str, ids: dict[tuple[str, str], str]) -> str:
    match = REFERENCE.match(reference)
    if match is None or (match["type"], match["id"]) not in ids:
        raise ValidationFailed({"reference": f"Reference {reference!r} does not resolve."})
    history = f"/_history/{match['v']}" if match["v"] else ""
    return f"{match['type']}/{ids[(match['type'], match['id'])]}{history}"


def _keep(case: Case, resources: list[Resource], patient: Resource, actor: User) -> int:
    """Store the Bundle's questionnaire answers as the clinic's own (re-scored) and keep every
    resource but the Patient as received; return how many were kept."""
    ids = {("Patient", str(patient.get("id"))): str(case.patient_id)}
    ids |= {
        (res["resourceType"], str(res.get("id"))): _new_id(case, str(res.get("id")))
        for res in resources
        if res is not patient
    }
    kept = 0
    for res in resources:
        if res is patient:
            continue
        questionnaire = res["resourceType"] == "QuestionnaireResponse"
        local = _store_response(case, res) if questionnaire else None
        rewritten = validate(
            {**_rewrite(res, ids), "id": ids[(res["resourceType"], str(res["id"]))]}
        )
        canonical = json.dumps(rewritten, sort_keys=True, separators=(",", ":"))
        kept += 1
        ImportedResource.objects.create(
            case=case,
            position=kept,
            resource_type=res["resourceType"],
            source_id=str(res["id"]),
            resource=rewritten,
            sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            local_response=local,
            imported_by=actor,
        )
    return kept


def _bundle_label(data: Resource) -> str:
    """The source's name for what was imported: the Bundle's identifier (a case), or its id."""
    if not _is_bundle(data):
        return f"Patient/{data.get('id', '')}"
    identifier = data.get("identifier") or {}
    return str(identifier.get("value") or data.get("id") or "")[:200]


def _counts(resources: list[Resource]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for res in resources:
        counts[res["resourceType"]] = counts.get(res["resourceType"], 0) + 1
    return counts


def _latest(resources: list[Resource], resource_type: str, field: str) -> str:
    found = [res for res in resources if res["resourceType"] == resource_type]
    return str(found[-1].get(field, "")) if found else ""
