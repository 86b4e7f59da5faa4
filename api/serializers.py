"""What the API reads and returns. The case body is the one the first two endpoints have always
returned (id, state, state_label, patient, physician_id, available_transitions)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.records import KINDS
from core.models import Patient
from core.validators import ID_MAX
from planning.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from planning.pathway import services
from planning.pathway.models import Case
from planning.pathway.states import CaseState, state_label


class CasePatientSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mrn = serializers.CharField()


class CaseSerializer(serializers.Serializer[Case]):
    """Needs `user` in the context: the transitions listed are the ones that user may take."""

    id = serializers.IntegerField(source="pk")
    state = serializers.CharField()
    state_label = serializers.SerializerMethodField()
    patient = serializers.SerializerMethodField()
    physician_id = serializers.IntegerField(allow_null=True)
    available_transitions = serializers.SerializerMethodField()

    def get_state_label(self, case: Case) -> str:
        return state_label(case.state)

    @extend_schema_field(CasePatientSerializer)
    def get_patient(self, case: Case) -> dict[str, Any]:
        patient = case.patient
        data: dict[str, Any] = CasePatientSerializer(
            {"id": patient.pk, "name": patient.full_name, "mrn": patient.mrn}
        ).data
        return data

    def get_available_transitions(self, case: Case) -> list[str]:
        user = self.context["user"]
        return [spec.name for spec in services.available_transitions(case, user)]


class TransitionInputSerializer(serializers.Serializer[Any]):
    transition = serializers.CharField(max_length=64)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    expected_state = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="The state you saw; if the case moved since, nothing happens (409).",
    )


class AllowedTransitionSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    requires_reason = serializers.BooleanField()


class PerformedTransitionSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(help_text="The audit entry's sequence number.")
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class TransitionsSerializer(serializers.Serializer[Any]):
    allowed = AllowedTransitionSerializer(many=True)
    performed = PerformedTransitionSerializer(many=True)


class PatientSerializer(serializers.ModelSerializer[Patient]):
    class Meta:
        model = Patient
        fields = (
            "id",
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex_at_birth",
            "email",
            "phone",
        )


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    case_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = FollowUp
        fields = (
            "id",
            "case_id",
            "kind",
            "title",
            "status",
            "due_at",
            "window_ends_at",
            "reminded_at",
            "completed_at",
            "note",
        )


class SealedRecordSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=list(KINDS))
    id = serializers.IntegerField()
    title = serializers.CharField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    size = serializers.IntegerField()
    download = serializers.CharField(help_text="The API path that returns the PDF.")


class FilterSerializer(serializers.Serializer[Any]):
    """Query-string filters: each validated value is applied as `LOOKUPS[name]`."""

    LOOKUPS: ClassVar[dict[str, str]] = {}


# Text filters never hold NUL (PostgreSQL refuses it): stated in the schema, refused with 400.
NO_NUL = RegexValidator(r"^[^\x00]*$", "Null characters are not allowed.")


def id_field(help_text: str) -> serializers.IntegerField:
    """A row id: a positive 64-bit integer (a larger one is bad input, not a database error)."""
    return serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=help_text
    )


class CaseFilterSerializer(FilterSerializer):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False)
    patient = id_field("Only this patient's cases.")
    physician = id_field("Only this physician's cases.")

    LOOKUPS: ClassVar[dict[str, str]] = {
        "state": "state",
        "patient": "patient_id",
        "physician": "physician_id",
    }


class FollowUpFilterSerializer(FilterSerializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices, required=False)
    case = id_field("Only this case's follow-ups.")
    due_before = serializers.DateTimeField(required=False)
    due_after = serializers.DateTimeField(required=False)

    LOOKUPS: ClassVar[dict[str, str]] = {
        "status": "status",
        "kind": "kind",
        "case": "case_id",
        "due_before": "due_at__lt",
        "due_after": "due_at__gte",
    }


class PatientFilterSerializer(FilterSerializer):
    mrn = serializers.CharField(
        required=False, max_length=32, validators=[NO_NUL], help_text="Exact record number."
    )
    name = serializers.CharField(
        required=False, max_length=100, validators=[NO_NUL], help_text="Part of a name."
    )

    LOOKUPS: ClassVar[dict[str, str]] = {"mrn": "mrn__iexact", "name": "search_name__icontains"}


def apply_filters(queryset: Any, filters: type[FilterSerializer], params: Any) -> Any:
    """Validate the query string with `filters` (400 on bad input) and apply its LOOKUPS."""
    # A plain dict, so an empty value is refused rather than read as "not given".
    given = filters(data={name: params[name] for name in params})
    given.is_valid(raise_exception=True)
    for name, value in given.validated_data.items():
        queryset = queryset.filter(**{filters.LOOKUPS[name]: value})
    return queryset
