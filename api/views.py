"""The JSON API. Each view: one access check (api.access), one service or selector, response."""

from __future__ import annotations

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.records import CASE_SUMMARY, CONSENT, KINDS, PLAN, REMS, SealedRecord, sealed_records
from api.serializers import (
    CaseFilterSerializer,
    CaseSerializer,
    FollowUpFilterSerializer,
    FollowUpSerializer,
    PatientFilterSerializer,
    PatientSerializer,
    SealedRecordSerializer,
    TransitionInputSerializer,
    TransitionsSerializer,
    apply_filters,
)
from core.access import request_user
from core.timeline import may_read_clinical
from planning.followups.models import FollowUp
from planning.pathway import selectors, services
from planning.pathway.wording import transition_reason
from records.downloads import record_response


class PatientList(generics.ListAPIView[Any]):
    serializer_class = PatientSerializer

    @extend_schema(parameters=[PatientFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        patients = access.visible_patients(self.request.user).annotate(
            search_name=Concat("given_name", Value(" "), "family_name")
        )
        patients = apply_filters(patients, PatientFilterSerializer, self.request.query_params)
        return patients.order_by("family_name", "given_name", "pk")


class PatientDetail(APIView):
    @extend_schema(responses=PatientSerializer)
    def get(self, request: Request, patient_id: int) -> Response:
        patient = access.patient_for(request.user, patient_id)
        return Response(PatientSerializer(patient).data)


class CaseList(generics.ListAPIView[Any]):
    serializer_class = CaseSerializer

    @extend_schema(parameters=[CaseFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        cases = access.visible_cases(self.request.user)
        cases = apply_filters(cases, CaseFilterSerializer, self.request.query_params)
        return cases.order_by("-created_at", "-pk")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user}


class CaseDetail(APIView):
    @extend_schema(responses=CaseSerializer)
    def get(self, request: Request, case_id: int) -> Response:
        case = access.case_for(request.user, case_id)
        return Response(CaseSerializer(case, context={"user": request.user}).data)


class CaseTransitions(APIView):
    @extend_schema(
        responses=TransitionsSerializer,
        description="Staff: the steps this user may take now, and every step taken so far.",
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = access.case_for_staff(request.user, case_id)
        allowed = services.available_transitions(case, request_user(request))
        clinical = may_read_clinical(request.user)  # as on the case page's timeline
        performed = [
            {
                "seq": entry.seq,
                "at": entry.created_at,
                "actor": entry.actor_label,
                "transition": entry.data.get("transition", ""),
                "from_state": entry.data.get("from", ""),
                "to_state": entry.data.get("to", ""),
                "reason": transition_reason(entry, clinical=clinical),
            }
            for entry in selectors.case_timeline(case).filter(action="case.transition")
        ]
        body = {"allowed": [vars(spec) for spec in allowed], "performed": performed[::-1]}
        return Response(TransitionsSerializer(body).data)

    @extend_schema(
        request=TransitionInputSerializer,
        responses={200: CaseSerializer},
        description="Perform one step. Refusals: 400 (input), 403 (role), 404 (case), "
        "409 (not possible now, guards unmet, or the case changed since `expected_state`).",
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = access.case_for(request.user, case_id, record_view=False)
        given = TransitionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        case = services.case_transition(
            case_id=case.pk, actor=request_user(request), **given.validated_data
        )
        return Response(CaseSerializer(case, context={"user": request.user}).data)


class CaseFollowUps(generics.ListAPIView[Any]):
    serializer_class = FollowUpSerializer

    def get_queryset(self) -> Any:
        case = access.case_for_staff(self.request.user, self.kwargs["case_id"])
        return FollowUp.objects.filter(case=case).order_by("due_at", "pk")


class FollowUpList(generics.ListAPIView[Any]):
    serializer_class = FollowUpSerializer

    @extend_schema(parameters=[FollowUpFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        cases = access.followup_cases(self.request.user)
        followups = FollowUp.objects.filter(case__in=cases)
        followups = apply_filters(followups, FollowUpFilterSerializer, self.request.query_params)
        return followups.order_by("due_at", "pk")


class CaseRecords(APIView):
    @extend_schema(responses=SealedRecordSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case = access.case_for(request.user, case_id, record_view=False)
        kinds = access.readable_record_kinds(request.user)
        rows = [_record_row(record) for record in sealed_records(case.pk, kinds=kinds)]
        return Response(SealedRecordSerializer(rows, many=True).data)


def _record_row(record: SealedRecord) -> dict[str, Any]:
    url = reverse("api:record_download", args=[record.case_id, record.kind, record.id])
    return {**vars(record), "download": url}


class RecordDownload(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=KINDS)],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        description="The sealed PDF, byte for byte (check it with `verify_pdf`). Audited.",
    )
    def get(self, request: Request, case_id: int, kind: str, record_id: int) -> HttpResponse:
        user = request_user(request)
        if kind == PLAN:
            record = access.plan_pdf_for(user, case_id, record_id)
        elif kind == CONSENT:
            case = access.case_for(user, case_id, record_view=False)
            record = access.consent_pdf_for(user, case, record_id)
        elif kind == REMS:
            record = access.rems_pdf_for(user, case_id, record_id)
        elif kind == CASE_SUMMARY:
            record = access.case_summary_pdf_for(user, case_id, record_id)
        else:
            raise Http404("There is no such kind of record.")
        # The access function wrote the download's one audit entry, as for the pages.
        return record_response(record)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)
