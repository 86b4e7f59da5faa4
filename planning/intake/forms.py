"""Intake forms: plausible-range checks with clear messages; questionnaires built from data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.forms import ESignatureFormMixin, FiniteDecimalField
from core.validators import CLINICAL_TEXT_MAX, REASON_MAX
from planning.intake.models import (
    AlertDecision,
    ContraindicationType,
    MedicationKind,
    PregnancyStatus,
    QuestionnaireDefinition,
    TrialResponse,
)
from planning.intake.services import TrialData, Vitals

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CorrectionMixin(forms.Form):
    correction_reason = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        widget=TEXTAREA,
        label="What does this correct, and why?",
    )


class ConsultationForm(CorrectionMixin):
    presenting_symptoms = forms.CharField(max_length=CLINICAL_TEXT_MAX, widget=TEXTAREA)
    symptom_duration_months = forms.IntegerField(
        min_value=0, max_value=1200, label="Duration of symptoms (months)"
    )
    psychotherapy_history = forms.CharField(
        required=False, max_length=CLINICAL_TEXT_MAX, widget=TEXTAREA
    )
    referral_source = forms.CharField(required=False, max_length=200)


class TrialForm(forms.Form):
    drug = forms.CharField(max_length=120)
    dose_mg = FiniteDecimalField(
        min_value=Decimal("0.01"),
        max_value=Decimal("10000"),
        decimal_places=2,
        label="Daily dose (mg)",
    )
    weeks = forms.IntegerField(min_value=0, max_value=520)
    response = forms.ChoiceField(choices=[("", "—"), *TrialResponse.choices])

    def as_trial(self) -> TrialData:
        data = self.cleaned_data
        return TrialData(data["drug"], data["dose_mg"], data["weeks"], data["response"])


TrialFormSet = forms.formset_factory(TrialForm, extra=3, max_num=20, can_delete=True)


class EvaluationForm(CorrectionMixin):
    # Plausible ranges: outside them the number is almost certainly a typing error.
    systolic_bp = forms.IntegerField(
        min_value=60, max_value=260, label="Systolic blood pressure (mmHg)"
    )
    diastolic_bp = forms.IntegerField(
        min_value=30, max_value=160, label="Diastolic blood pressure (mmHg)"
    )
    heart_rate = forms.IntegerField(min_value=30, max_value=220, label="Heart rate (beats/min)")
    spo2_percent = forms.IntegerField(min_value=50, max_value=100, label="SpO2 (%)")
    weight_kg = FiniteDecimalField(
        min_value=Decimal("25"), max_value=Decimal("350"), decimal_places=1, label="Weight (kg)"
    )
    height_cm = FiniteDecimalField(
        min_value=Decimal("100"), max_value=Decimal("250"), decimal_places=1, label="Height (cm)"
    )
    pregnancy_status = forms.ChoiceField(
        choices=[("", "Choose…"), *PregnancyStatus.choices],
        error_messages={"required": "Choose the pregnancy status (no default is assumed)."},
        help_text="“Not applicable” only where the clinic does not ask (sex, age); “unknown” "
        "is raised for the physician.",
    )
    psychiatric_history = forms.CharField(
        required=False, max_length=CLINICAL_TEXT_MAX, widget=TEXTAREA
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = _latest_definitions()
        self.contraindications = list(
            ContraindicationType.objects.filter(active=True, derived_from="")
        )
        for definition in self.questionnaires:
            for item in definition.parsed().items:
                choices: list[tuple[object, str]] = [(o.value, o.label) for o in item.options]
                if not item.required or not definition.required_at_evaluation:
                    choices.insert(0, ("", "Not answered"))  # so an answer can be cleared
                self.fields[f"{definition.code}__{item.link_id}"] = forms.TypedChoiceField(
                    label=item.text,
                    choices=choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )
        for ci in self.contraindications:
            self.fields[f"screen__{ci.code}"] = forms.TypedChoiceField(
                label=ci.label,
                choices=[("yes", "Yes"), ("no", "No")],  # the order the C-SSRS items use
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                error_messages={"required": "Please answer yes or no."},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        systolic, diastolic = data.get("systolic_bp"), data.get("diastolic_bp")
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error("diastolic_bp", "Diastolic pressure must be below systolic.")
        return data

    def questionnaire_fields(self) -> list[tuple[QuestionnaireDefinition, list[Any]]]:
        """Per questionnaire: (field, the field it depends on or "", the answer it needs):
        static/intake/forms.js shows a conditional item only when that answer is given."""
        return [
            (
                d,
                [
                    (
                        self[f"{d.code}__{item.link_id}"],
                        f"{d.code}__{item.skip_unless.item}" if item.skip_unless else "",
                        item.skip_unless.equals if item.skip_unless else "",
                    )
                    for item in d.parsed().items
                ],
            )
            for d in self.questionnaires
        ]

    def screening_fields(self) -> list[Any]:
        return [self[f"screen__{ci.code}"] for ci in self.contraindications]

    def vitals(self) -> Vitals:
        return Vitals(**{k: self.cleaned_data[k] for k in Vitals.__dataclass_fields__})

    def screening(self) -> dict[str, bool]:
        return {ci.code: self.cleaned_data[f"screen__{ci.code}"] for ci in self.contraindications}

    def answers(self) -> dict[str, dict[str, object]]:
        """Answers per questionnaire; an optional one left entirely blank was not given."""
        result: dict[str, dict[str, object]] = {}
        for definition in self.questionnaires:
            given = {
                item.link_id: self.cleaned_data.get(f"{definition.code}__{item.link_id}")
                for item in definition.parsed().items
            }
            given = {k: v for k, v in given.items() if v not in (None, "")}
            if given or definition.required_at_evaluation:
                result[definition.code] = given
        return result


def _latest_definitions() -> list[QuestionnaireDefinition]:
    latest: dict[str, QuestionnaireDefinition] = {}
    for definition in QuestionnaireDefinition.objects.filter(active=True).order_by("-version"):
        latest.setdefault(definition.code, definition)
    return sorted(latest.values(), key=lambda d: (d.position, d.code))


class MedicationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Medication or supplement")
    dose = forms.CharField(max_length=100)
    frequency = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=MedicationKind.choices)


class NoteForm(forms.Form):
    note = forms.CharField(max_length=4000, widget=TEXTAREA)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=4000, widget=TEXTAREA)


class AlertDecisionForm(ESignatureFormMixin):
    """A physician's decision on a safety alert, electronically signed."""

    decision = forms.ChoiceField(choices=AlertDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(max_length=4000, widget=TEXTAREA)

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "decision": self.cleaned_data["decision"],
            "reason": self.cleaned_data["reason"],
            "signature": self.esignature(),
        }
