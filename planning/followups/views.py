"""The patient's questionnaire link, and staff actions on follow-ups."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error
from core.links import LinkClosedError, link_dob_check
from core.validators import REASON_MAX, SHORT_TEXT_MAX, validate_birth_date, validate_schedule_date
from planning.followups import link as followup_link
from planning.followups import services as followup_services
from planning.followups.access import access_followup
from planning.followups.models import FollowUp, FollowUpKind
from planning.pathway.access import access_case

DOB_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"]


class DobForm(forms.Form):
    date_of_birth = forms.DateField(
        input_formats=DOB_FORMATS,
        label="Your date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        validators=[validate_birth_date],
    )


def _questionnaire_form(data: object = None) -> forms.Form:
    definition = followup_link.phq9_definition().parsed()
    form = forms.Form(data)  # type: ignore[arg-type]
    for item in definition.items:
        form.fields[item.link_id] = forms.TypedChoiceField(
            label=item.text,
            choices=[(o.value, o.label) for o in item.options],
            coerce=int,
            required=False,
            widget=forms.RadioSelect,
        )
    return form


@never_cache
@access_action("followup.link")
@require_http_methods(["GET", "POST"])
def followup_link_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        followup = followup_link.followup_for_token(token)
    except DomainError as exc:
        return render(request, "followups/gone.html", {"error": exc}, status=exc.status)
    verified_key = f"followup-verified:{followup.pk}"
    if not request.session.get(verified_key):
        return _dob_step(request, followup, verified_key)
    form = _questionnaire_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            outcome = followup_link.followup_questionnaire_submit(
                followup_id=followup.pk, answers=answers
            )
        except ValidationFailed as exc:
            add_domain_error(form, exc)
        else:
            request.session.pop(verified_key, None)
            return render(request, "followups/thanks.html", {"outcome": outcome})
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "followups/questionnaire.html",
        {"form": form, "followup": followup},
        status=status,
    )


def _dob_step(request: HttpRequest, followup: FollowUp, verified_key: str) -> HttpResponse:
    form = DobForm(
        request.POST if request.method == "POST" and "date_of_birth" in request.POST else None
    )
    if form.is_bound and form.is_valid() and followup.link_id is not None:
        result = link_dob_check(
            link_id=followup.link_id, date_of_birth=form.cleaned_data["date_of_birth"]
        )
        if result.ok:
            request.session[verified_key] = True
            return redirect(request.path)
        if result.closed_reason:
            error = LinkClosedError(result.closed_reason)
            return render(request, "followups/gone.html", {"error": error}, status=error.status)
        form.add_error("date_of_birth", "That date of birth does not match our records.")
    status = 400 if form.is_bound else 200
    return render(request, "followups/dob.html", {"form": form}, status=status)


class FollowUpAddForm(forms.Form):
    kind = forms.ChoiceField(choices=FollowUpKind.choices)
    title = forms.CharField(max_length=SHORT_TEXT_MAX)
    due_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Due at",
        validators=[validate_schedule_date],
    )
    window_hours = forms.IntegerField(
        min_value=1, max_value=24 * 60, initial=48, label="Window (hours)"
    )
    note = forms.CharField(
        required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class RescheduleForm(forms.Form):
    due_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[validate_schedule_date],
    )


def _done(request: HttpRequest, case_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("pathway:case_detail", args=[case_id]) + "#followups")


def _fail(request: HttpRequest, case_id: int, exc: DomainError | str) -> HttpResponse:
    messages.error(request, exc if isinstance(exc, str) else exc.message)
    return redirect(reverse("pathway:case_detail", args=[case_id]) + "#followups")


@access_action("followup.manage")
@require_POST
def followup_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, action=current_action(request))
    form = FollowUpAddForm(request.POST)
    if not form.is_valid():
        return _fail(request, case.pk, "Please fill in the kind, title and due time.")
    try:
        followup_services.followup_add(case=case, actor=request_user(request), **form.cleaned_data)
    except DomainError as exc:
        return _fail(request, case.pk, exc)
    return _done(request, case.pk, "Follow-up added.")


@access_action("followup.manage")
@require_POST
def followup_reschedule(request: HttpRequest, case_id: int, followup_id: int) -> HttpResponse:
    followup = access_followup(request.user, case_id, followup_id, action=current_action(request))
    case = followup.case
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _fail(request, case.pk, "Please give the new due time.")
    due: datetime = form.cleaned_data["due_at"]
    try:
        followup_services.followup_reschedule(
            case=case, followup_id=followup.pk, actor=request_user(request), due_at=due
        )
    except DomainError as exc:
        return _fail(request, case.pk, exc)
    return _done(request, case.pk, "Follow-up rescheduled.")


@access_action("followup.manage")
@require_POST
def followup_complete(request: HttpRequest, case_id: int, followup_id: int) -> HttpResponse:
    followup = access_followup(request.user, case_id, followup_id, action=current_action(request))
    try:
        followup_services.followup_complete(
            case=followup.case,
            followup_id=followup.pk,
            actor=request_user(request),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        return _fail(request, case_id, exc)
    return _done(request, case_id, "Follow-up marked as done.")
