from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from core.models import MessageChannel, Patient, SexAtBirth
from core.validators import validate_birth_date
from planning.pathway.names import name_problem, normalise_name
from planning.pathway.selectors import physicians


class IsoDateField(forms.DateField):
    """A date typed into an `<input type=date>`, or into a plain text box where a browser has
    none (DD/MM/YYYY as well, the locale's formats). Shown again after another field's error
    as the parsed date in YYYY-MM-DD: the only value a date input keeps (any other it drops,
    and the resubmitted form would say the date is missing)."""

    widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled:
            return initial
        try:
            return self.to_python(data)
        except forms.ValidationError:
            return data  # shown as typed, next to its error


class CaseOpenForm(forms.Form):
    """Open a case for an existing patient, or register a new one at the same time."""

    existing_patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(), required=False, label="Existing patient"
    )
    given_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, required=False)
    date_of_birth = IsoDateField(required=False, validators=[validate_birth_date])
    mrn = forms.CharField(max_length=32, required=False, label="Medical record number")
    sex_at_birth = forms.ChoiceField(
        choices=SexAtBirth.choices, required=False, label="Sex at birth"
    )
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=32, required=False)
    contact_channel = forms.ChoiceField(
        choices=MessageChannel.choices,
        initial=MessageChannel.EMAIL,
        required=False,
        label="Reminders by",
        help_text="The other channel is used when this address is missing.",
    )
    preferred_language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        initial="en",
        required=False,
        label="Preferred language",
        help_text="Patient pages, messages and the consent document use this language.",
    )
    physician = forms.ModelChoiceField(
        queryset=physicians(), required=False, label="Treating physician"
    )
    confirm_duplicate = forms.BooleanField(
        required=False,
        label="This is a different person with the same name and date of birth",
    )

    NEW_FIELDS = ("given_name", "family_name", "date_of_birth", "mrn")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        physician = self.fields["physician"]
        physician.label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]

    def _name(self, field: str) -> str:
        value = normalise_name(self.cleaned_data.get(field) or "")
        problem = name_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_given_name(self) -> str:
        return self._name("given_name")

    def clean_family_name(self) -> str:
        return self._name("family_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("existing_patient"):
            return data
        for name in self.NEW_FIELDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Required for a new patient (or choose an existing one).")
        if data.get("contact_channel") == MessageChannel.SMS and not data.get("phone"):
            self.add_error("phone", "A phone number is needed for reminders by text message.")
        return data


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=64)
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)
    expected_state = forms.CharField(max_length=32, required=False)
