"""The patient's questionnaire link, and staff actions on follow-ups."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_action, current_action, request_user
from core.dates import DATE_INPUT_FORMATS
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error
from core.links import LinkClosedError, link_dob_check
from core.validators import REASON_MAX, SHORT_TEXT_MAX, validate_birth_date, validate_schedule_date
from planning.followups import link as followup_link
from planning.followups import services as followup_services
from planning.followups.access import access_case_summary, access_followup
from planning.followups.models import PATIENT_KINDS, FollowUp, FollowUpKind
from planning.followups.summary import case_summary_seal as seal_case_summary
from planning.pathway.access import access_case
from records.downloads import record_response


class DobForm(forms.Form):
    date_of_birth = forms.DateField(
        input_formats=DATE_INPUT_FORMATS,
        label=gettext_lazy("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        validators=[validate_birth_date],
    )


def _questionnaire_form(data: object = None) -> forms.Form:
    definition = followup_link.phq9_definition().parsed()
    form = forms.Form(data)  # type: ignore[arg-type]
    for item in definition.items:
        form.fields[item.link_id] = forms.TypedChoiceField(
            label=gettext(item.text),
            choices=[(o.value, gettext(o.label)) for o in item.options],
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
        # Before the date of birth: whoever holds the link learns that it is used, not when.
        return _closed(request, exc, when=False)
    with translation.override(followup.case.patient.preferred_language):
        return _followup_page(request, followup)


def _followup_page(request: HttpRequest, followup: FollowUp) -> HttpResponse:
    """The questionnaire, in the patient's language (the answers are stored as values)."""
    verified_key = f"followup-verified:{followup.pk}"
    if not request.session.get(verified_key):
        return _dob_step(request, followup, verified_key)
    return _questionnaire(request, followup, verified_key)


@never_cache
@access_action("followup.answer")
@require_http_methods(["GET", "POST"])
def followup_answer(request: HttpRequest, case_id: int, followup_id: int) -> HttpResponse:
    """The same questionnaire from the patient's own page: signing in is the credential."""
    followup = access_followup(request.user, case_id, followup_id, action=current_action(request))
    if followup.kind not in PATIENT_KINDS:
        raise Http404("This follow-up is not a questionnaire.")
    try:
        followup_link.followup_require_answerable(followup)
    except DomainError as exc:
        return _closed(request, exc)
    return _questionnaire(request, followup, "")


def _closed(request: HttpRequest, exc: DomainError, *, when: bool = True) -> HttpResponse:
    if isinstance(exc, followup_link.AlreadyReceived):
        received_at = exc.received_at if when else None
        return render(request, "followups/received.html", {"received_at": received_at})
    return render(request, "followups/gone.html", {"error": exc}, status=exc.status)


def _questionnaire(request: HttpRequest, followup: FollowUp, verified_key: str) -> HttpResponse:
    form = _questionnaire_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            outcome = followup_link.followup_questionnaire_submit(
                followup_id=followup.pk, answers=answers
            )
        except ValidationFailed as exc:
            add_domain_error(form, exc)
        except DomainError as exc:
            return _closed(request, exc)
        else:
            if verified_key:
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
        form.add_error("date_of_birth", gettext("That date of birth does not match our records."))
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


@access_action("case.summary_seal")
@require_POST
def case_summary_seal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Seal the case summary as the case stands; asked again with nothing changed, the latest
    version is kept (no new record)."""
    case = access_case(request.user, case_id, action=current_action(request))
    try:
        result = seal_case_summary(case_id=case.pk, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, f"The case summary was not sealed: {exc.message}")
    else:
        version = result.record.version
        if result.created:
            messages.success(request, f"Sealed version {version} of the case summary.")
        else:
            messages.info(request, f"Nothing changed since version {version}; it is current.")
    return redirect(reverse("pathway:case_detail", args=[case.pk]) + "#progress")


@access_action("case.summary_pdf")
def case_summary_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The latest sealed case summary (the access function audits the download)."""
    return record_response(access_case_summary(request.user, case_id))
