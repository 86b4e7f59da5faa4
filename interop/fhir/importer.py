"""A FHIR Patient (alone, or in a Bundle with its QuestionnaireResponses) opens a case.

Only facts the clinic can take over as they are come in: the patient's identity and contact
details, and questionnaire answers (re-scored here by the clinic's own definitions). Signed
records (consents, approved plans) and clinicians' measurements are never created from an
import: a signature made elsewhere is not a signature made here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import User
from core.validators import within_date_limits
from interop.fhir import codes as c
from interop.fhir.bundle import validate
from planning.intake import scoring
from planning.intake.models import QuestionnaireDefinition
from planning.intake.services import questionnaire_response_store
from planning.pathway import services
from planning.pathway.models import Case

Resource = dict[str, Any]
SYSTEM_USERNAME = "system.interop"


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
    resources = (
        [e.get("resource", {}) for e in data.get("entry", [])] if _is_bundle(data) else [data]
    )
    patients = [res for res in resources if res.get("resourceType") == "Patient"]
    if len(patients) != 1:
        raise ValidationFailed({"resourceType": "Expected exactly one Patient."})
    with transaction.atomic():
        case = services.case_open_for(actor=actor, **patient_fields(patients[0]))
        for res in resources:
            if res.get("resourceType") == "QuestionnaireResponse":
                _store_response(case, res, actor)
    return case


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


def _store_response(case: Case, resource: Resource, actor: User) -> None:
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
        result = scoring.score(definition.parsed(), answers)
    except scoring.AnswerError as exc:
        raise ValidationFailed(dict(exc.errors), f"Invalid answers for {code}.") from exc
    questionnaire_response_store(
        case,
        None,
        None,
        definition,
        result,
        recorded_at=_authored(str(resource.get("authored") or "")),
    )
