"""Forms for the dosing plan and treatment sessions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.forms import ESIGN_FIELDS, ESignatureFormMixin, FiniteDecimalField
from core.validators import (
    CLINICAL_TEXT_MAX,
    DOSE_MAX,
    ID_MAX,
    REASON_MAX,
    validate_event_time,
    validate_schedule_date,
)
from planning.intake.models import PregnancyStatus
from planning.treatment.models import ClinicProtocol, Route
from planning.treatment.services.plans import PlanInput
from planning.treatment.services.sessions import CADSS_ITEMS, Discharge, DosingRecord, PreDose

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def dose_mg_field(label: str) -> FiniteDecimalField:
    """A dose in mg as given: above zero, at most DOSE_MAX (the protocol narrows it)."""
    return FiniteDecimalField(
        min_value=Decimal("0.01"), max_value=DOSE_MAX, max_digits=7, decimal_places=2, label=label
    )


class PlanForm(forms.Form):
    route = forms.ChoiceField(choices=Route.choices)
    dose_value = FiniteDecimalField(
        min_value=Decimal("0.001"),
        max_value=DOSE_MAX,
        max_digits=7,
        decimal_places=3,
        label="Dose (mg/kg for weight-based routes, mg otherwise)",
    )
    infusion_minutes = forms.IntegerField(
        min_value=1, max_value=600, required=False, label="Infusion duration (minutes)"
    )
    sessions = forms.IntegerField(min_value=1, max_value=100, label="Number of sessions")
    frequency = forms.CharField(max_length=100)
    # type=date inputs only read ISO dates: render the value as such (not the locale's d/m/Y).
    start_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_schedule_date],
    )
    monitoring_requirements = forms.CharField(
        max_length=CLINICAL_TEXT_MAX,
        widget=TEXTAREA,
        required=False,
        help_text="Leave empty to use the protocol's monitoring schedule for the route.",
    )
    concurrent_psychotherapy = forms.CharField(
        required=False, max_length=CLINICAL_TEXT_MAX, widget=TEXTAREA
    )
    cost_per_session = FiniteDecimalField(
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        required=False,
        label="Cost per session",
        help_text="Leave empty for the clinic's standard cost.",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        widget=TEXTAREA,
        label="Override reason (needed outside the protocol)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = {p.route: p for p in ClinicProtocol.objects.filter(active=True)}
        route_field = self.fields["route"]
        assert isinstance(route_field, forms.ChoiceField)
        route_field.choices = [(v, label) for v, label in Route.choices if v in active]
        # Each route's own frequencies (static/treatment/plan.js shows only the chosen route's);
        # nothing pre-selected: the frequency is the physician's decision.
        grouped: list[Any] = [("", "Choose the frequency")]
        grouped += [
            (p.get_route_display(), [(f, f) for f in p.frequency_list]) for p in active.values()
        ]
        self.fields["frequency"].widget = forms.Select(
            choices=grouped, attrs={"data-route-frequencies": "1"}
        )

    def as_input(self) -> PlanInput:
        data = dict(self.cleaned_data)
        cost = data.pop("cost_per_session")
        cents = None if cost is None else int((cost * 100).to_integral_value())
        return PlanInput(cost_per_session_cents=cents, **data)


class ApproveForm(ESignatureFormMixin):
    plan_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=ID_MAX)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=4000, widget=TEXTAREA)


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PreDoseForm(forms.Form):
    pre_systolic = forms.IntegerField(min_value=60, max_value=260, label="Systolic before (mmHg)")
    pre_diastolic = forms.IntegerField(min_value=30, max_value=160, label="Diastolic before (mmHg)")
    pre_heart_rate = forms.IntegerField(min_value=30, max_value=220, label="Heart rate before")
    pre_spo2 = forms.IntegerField(min_value=50, max_value=100, label="SpO2 before (%)")
    new_medications = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        widget=TEXTAREA,
        label="New medications since the last session",
        help_text="One per line, with the dose if known; leave empty if none.",
    )
    pregnancy_status = forms.ChoiceField(
        required=False,
        choices=[("", "—")] + [c for c in PregnancyStatus.choices if c[0] != "not_applicable"],
        label="Pregnancy status",
        help_text="“Unknown” is raised for the physician.",
    )
    escort_confirmed = forms.BooleanField(required=False, label="Escort home confirmed")
    last_meal_at = forms.DateTimeField(
        widget=DATETIME, required=False, label="Last meal at", validators=[validate_event_time]
    )

    def as_record(self) -> PreDose:
        return PreDose(**self.cleaned_data)


class PhysicianSignForm(ESignatureFormMixin):
    """A physician's electronically signed decision (clearance, deviation)."""

    reason = forms.CharField(max_length=4000, widget=TEXTAREA)
    field_order: tuple[str, ...] = ("reason", "username", "password", "otp_code")

    def as_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ESIGN_FIELDS}
        return {**data, "signature": self.esignature()}


class DeviationForm(PhysicianSignForm):
    dose_mg = dose_mg_field("Dose to give (mg)")
    field_order = ("dose_mg", "reason", "username", "password", "otp_code")


class DosingForm(forms.Form):
    dosing_started_at = forms.DateTimeField(
        widget=DATETIME, label="Dosing started at", validators=[validate_event_time]
    )
    dose_given_mg = dose_mg_field("Dose given (mg)")
    lot_number = forms.CharField(max_length=60)
    device_count = forms.IntegerField(
        min_value=1, max_value=6, required=False, label="Devices used (esketamine)"
    )

    def as_record(self) -> DosingRecord:
        return DosingRecord(**{"device_count": None, **self.cleaned_data})


class VitalsForm(forms.Form):
    minute = forms.IntegerField(min_value=0, max_value=600, label="Minute after dosing start")
    systolic_bp = forms.IntegerField(min_value=60, max_value=260, label="Systolic (mmHg)")
    diastolic_bp = forms.IntegerField(min_value=30, max_value=160, label="Diastolic (mmHg)")
    heart_rate = forms.IntegerField(min_value=30, max_value=220, label="Heart rate")
    spo2_percent = forms.IntegerField(min_value=50, max_value=100, required=False, label="SpO2 (%)")


# The CADSS-6 short form (items 1, 2, 6, 7, 15 and 22 of the 23-item CADSS), asked "at this
# time, in this room". The wording follows the published scale; a clinic using a licensed
# sheet with other wording changes it here (the scores are what the REMS form records).
# Item 22 (an observer item) was written from secondary sources: check it against the sheet.
CADSS_QUESTIONS = {
    "cadss_1": "Do things seem to be moving in slow motion?",
    "cadss_2": "Do things seem to be unreal to you, as if you are in a dream?",
    "cadss_6": "Do you feel disconnected from your own body?",
    "cadss_7": "Does your sense of your own body feel changed (unusually large or small)?",
    "cadss_15": "Do you space out, or in some other way lose track of what is going on?",
    "cadss_22": "Observer: did the patient seem to be separated or detached from what was "
    "going on?",
}


class MonitoringForm(forms.Form):
    moaas = forms.IntegerField(min_value=0, max_value=5, label="MOAA/S sedation (0-5)")
    adverse_events = forms.CharField(required=False, max_length=CLINICAL_TEXT_MAX, widget=TEXTAREA)
    respiratory_depression = forms.BooleanField(required=False)
    serious_adverse_event = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CADSS_ITEMS:
            number = item.split("_")[1]
            self.fields[item] = forms.IntegerField(
                min_value=0,
                max_value=4,
                label=f"CADSS item {number}: {CADSS_QUESTIONS[item]}",
                help_text="0 not at all, 1 slightly, 2 moderately, 3 considerably, 4 extremely",
            )

    def as_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cadss"] = {item: data.pop(item) for item in CADSS_ITEMS}
        return data


class NoteForm(forms.Form):
    note = forms.CharField(max_length=4000, widget=TEXTAREA)


class DischargeForm(forms.Form):
    discharged_at = forms.DateTimeField(widget=DATETIME, validators=[validate_event_time])
    discharge_systolic = forms.IntegerField(
        min_value=60, max_value=260, label="Systolic at discharge (mmHg)"
    )
    discharge_diastolic = forms.IntegerField(
        min_value=30, max_value=160, label="Diastolic at discharge (mmHg)"
    )
    discharge_heart_rate = forms.IntegerField(
        min_value=30, max_value=220, label="Heart rate at discharge"
    )
    ready_to_leave_at = forms.DateTimeField(
        widget=DATETIME,
        required=False,
        label="Would have been ready to leave at",
        validators=[validate_event_time],
    )
    vitals_acceptable = forms.BooleanField(required=False, label="Vitals acceptable")
    alert = forms.BooleanField(required=False, label="Alert and oriented")
    escort_confirmed = forms.BooleanField(required=False, label="Escort home confirmed")

    def as_discharge(self) -> Discharge:
        return Discharge(**self.cleaned_data)
