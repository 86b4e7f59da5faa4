"""FHIR R4 endpoints (`application/fhir+json`): read a Patient, search Consents by patient,
create a Patient (which opens a case). Same tokens, access checks and audit as the JSON API;
errors are OperationOutcome resources carrying the API's error code and message."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.errors import api_exception_handler
from core.access import request_user
from core.errors import ValidationFailed
from interop.fhir import bundle
from interop.fhir.importer import fhir_import
from interop.fhir.resources import patient_resource


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"


class FhirJsonParser(JSONParser):
    media_type = "application/fhir+json"


def operation_outcome(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    body = response.data
    severity = "error" if response.status_code < 500 else "fatal"
    response.data = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": severity,
                "code": "not-found" if response.status_code == 404 else "processing",
                "details": {"coding": [{"code": body["error"]}], "text": body["error"]},
                "diagnostics": body["message"],
            }
        ],
    }
    return response


class FhirView(APIView):
    schema = None  # FHIR has its own specification; the OpenAPI document covers /api/
    renderer_classes = [FhirJsonRenderer, JSONRenderer]
    parser_classes = [FhirJsonParser, JSONParser]

    def get_exception_handler(self) -> Any:
        return operation_outcome


class PatientRead(FhirView):
    def get(self, request: Request, patient_id: int) -> Response:
        return Response(patient_resource(access.patient_for(request.user, patient_id)))


class PatientCreate(FhirView):
    def post(self, request: Request) -> Response:
        access.visible_patients(request.user)  # refuses all but staff who may open cases
        case = fhir_import(request.data, actor=request_user(request))
        location = reverse("interop:patient_read", args=[case.patient_id])
        return Response(patient_resource(case.patient), status=201, headers={"Location": location})


class ConsentSearch(FhirView):
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("patient", "")
        patient_id = raw.removeprefix("Patient/")
        if not patient_id.isdigit():
            raise ValidationFailed({"patient": "Search by patient id: ?patient=123."})
        patient = access.patient_for(request.user, int(patient_id))
        case_ids = list(patient.cases.values_list("pk", flat=True))
        return Response(bundle.searchset(bundle.consent_resources(case_ids, with_provenance=False)))
