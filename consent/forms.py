"""Input validation for the consent pages. Forms never save; services do."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import ComprehensionQuestion
from consent.representatives import Authority, SignerInput
from core.dates import DATE_INPUT_FORMATS
from core.validators import ID_MAX, NAME_MAX, SHORT_TEXT_MAX, validate_birth_date

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class DobForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "invalid": _("Please enter a date, for example 14/03/1984."),
            "required": _("Please enter your date of birth."),
        },
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_birth_date],
    )


class DisclosureForm(forms.Form):
    choice = forms.ChoiceField(choices=[("agree", "agree"), ("paper", "paper")])
    understood = forms.BooleanField(
        required=False,
        label=_(
            "I have read this notice, I can open PDF files on this device, and I agree to "
            "receive and sign my consent records electronically."
        ),
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        label=_("Anything we should know for the paper copy (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("choice") == "agree" and not data.get("understood"):
            self.add_error(
                "understood", _("Please tick the box to agree, or ask for a paper copy.")
            )
        return data


class ReadForm(forms.Form):
    version_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=ID_MAX)


class AnswersForm(forms.Form):
    version_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=ID_MAX)

    def __init__(self, *args: Any, questions: list[ComprehensionQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.prompt,
                choices=[(i, text) for i, text in enumerate(question.choice_list, start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose an answer.")},
            )

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


SIGNER_CHOICES = [
    ("patient", _("I am the patient")),
    (
        "representative",
        _("I sign on the patient's behalf as their legally authorised representative"),
    ),
]


class SignForm(forms.Form):
    """Everything optional here: the service checks and explains each refusal."""

    document_sha256 = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=600_000)
    strokes = forms.CharField(required=False, widget=forms.HiddenInput, max_length=400_000)
    typed_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Type your full name"),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    intent = forms.BooleanField(required=False)
    # Who signs (consent.representatives): the patient, or their legally authorised
    # representative with their name, relationship and authority.
    signer_role = forms.CharField(
        required=False,
        widget=forms.RadioSelect(choices=SIGNER_CHOICES),
        initial="patient",
        label=_("Who is signing?"),
    )
    # Lengths are the service's to check (one message per field, consent.representatives).
    representative_name = forms.CharField(
        required=False,
        strip=False,
        label=_("Your full name (the representative)"),
        widget=forms.TextInput(
            attrs={"autocomplete": "name", "autocapitalize": "words", "maxlength": NAME_MAX}
        ),
    )
    representative_relationship = forms.CharField(
        required=False,
        strip=False,
        label=_("Your relationship to the patient"),
        help_text=_("For example: daughter, husband, legal guardian."),
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX}),
    )
    representative_authority = forms.CharField(
        required=False,
        widget=forms.Select(choices=[("", _("Choose…")), *Authority.choices]),
        label=_("Your authority to consent for the patient"),
    )
    representative_authority_detail = forms.CharField(
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": SHORT_TEXT_MAX}),
        label=_("Details or reference (optional; required for “other”)"),
        help_text=_("For example: the court order number, or the date of the power of attorney."),
    )

    def signer(self) -> SignerInput:
        """Who signs, as entered (the service checks it); read after `is_valid()`."""
        data = self.cleaned_data
        return SignerInput(
            role=data.get("signer_role") or "patient",
            name=data.get("representative_name", ""),
            relationship=data.get("representative_relationship", ""),
            authority=data.get("representative_authority", ""),
            authority_detail=data.get("representative_authority_detail", ""),
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label=_("If you like, tell us why (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label=_("Please tell us why (required)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please tell us why you are withdrawing.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that withdrawing stops my treatment at this clinic."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label="The PDF file to check")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; it is not one of ours.")
        return upload
