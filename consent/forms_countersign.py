"""Input for the countersigning pages in the clinic. Forms never save; `consent.countersign`
checks and writes."""

from __future__ import annotations

from django import forms

from consent.countersign import WitnessInput
from core.forms import ESignatureFormMixin
from core.validators import NAME_MAX


class ClinicianCountersignForm(ESignatureFormMixin):
    """The clinician's e-signature components (core.esign)."""


class WitnessCountersignForm(forms.Form):
    """Everything optional here: the service explains each refusal on its field."""

    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=600_000)
    strokes = forms.CharField(required=False, widget=forms.HiddenInput, max_length=400_000)
    witness_name = forms.CharField(
        required=False,
        strip=False,
        label="The witness's full name (printed)",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "words", "maxlength": NAME_MAX}
        ),
    )
    attest = forms.BooleanField(required=False)

    def witness(self) -> WitnessInput:
        data = self.cleaned_data
        return WitnessInput(
            name=data.get("witness_name", ""),
            attested=bool(data.get("attest")),
            signature_data_url=data.get("signature", ""),
            strokes_json=data.get("strokes", ""),
        )
