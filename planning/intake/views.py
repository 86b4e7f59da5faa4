"""Intake pages for clinicians and physicians. Each view: access check, form, one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error, form_errors
from planning.intake import rules as intake_rules
from planning.intake import services as intake_services
from planning.intake.forms import (
    AlertDecisionForm,
    ConsultationForm,
    EvaluationForm,
    MedicationForm,
    NoteForm,
    ReasonForm,
    TrialFormSet,
)
from planning.intake.models import Consultation, Evaluation
from planning.pathway.access import access_case
from planning.pathway.models import Case


def _clinical_case(request: HttpRequest, case_id: int) -> Case:
    return access_case(request.user, case_id, action=current_action(request))


def _to_case(case: Case, anchor: str = "intake") -> HttpResponse:
    return redirect(reverse("pathway:case_detail", args=[case.pk]) + f"#{anchor}")


@access_action("intake.view", post="intake.record")
@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    latest = intake_rules.latest_consultation(case)
    data = request.POST if request.method == "POST" else None
    form = ConsultationForm(data, initial=_consultation_initial(latest))
    trials = TrialFormSet(data, prefix="trials", initial=_trials_initial(latest))
    if data is not None and form.is_valid() and trials.is_valid():
        kept = [
            f.as_trial()
            for f in trials.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            intake_services.consultation_record(
                case=case, actor=request_user(request), trials=kept, **form.cleaned_data
            )
        except ValidationFailed as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Consultation recorded.")
            return _to_case(case)
    context = {"case": case, "form": form, "trials": trials, "correcting": latest is not None}
    status = 400 if data is not None else 200
    return render(request, "intake/consultation.html", context, status=status)


def _consultation_initial(latest: Consultation | None) -> dict[str, Any]:
    if latest is None:
        return {}
    names = [
        "presenting_symptoms",
        "symptom_duration_months",
        "psychotherapy_history",
        "referral_source",
    ]
    return {name: getattr(latest, name) for name in names}


def _trials_initial(latest: Consultation | None) -> list[dict[str, Any]]:
    if latest is None:
        return []
    return [
        {"drug": t.drug, "dose_mg": t.dose_mg, "weeks": t.weeks, "response": t.response}
        for t in latest.trials.all()
    ]


@access_action("intake.view", post="intake.record")
@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    latest = intake_rules.latest_evaluation(case)
    data = request.POST if request.method == "POST" else None
    form = EvaluationForm(data, initial=_evaluation_initial(latest))
    if data is not None and form.is_valid():
        try:
            intake_services.evaluation_record(
                case=case,
                actor=request_user(request),
                vitals=form.vitals(),
                pregnancy_status=form.cleaned_data["pregnancy_status"],
                psychiatric_history=form.cleaned_data["psychiatric_history"],
                screening=form.screening(),
                questionnaires=form.answers(),
                correction_reason=form.cleaned_data["correction_reason"],
            )
        except ValidationFailed as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Evaluation recorded.")
            return _to_case(case)
    elif data is not None:  # the other fields' errors and the questionnaires' at once
        for field, message in intake_services.questionnaire_problems(form.answers()).items():
            form.add_error(field if field in form.fields else None, message)
    context = {"case": case, "form": form, "correcting": latest is not None}
    status = 400 if data is not None else 200
    return render(request, "intake/evaluation.html", context, status=status)


def _evaluation_initial(latest: Evaluation | None) -> dict[str, Any]:
    if latest is None:
        return {}
    names = [
        "systolic_bp",
        "diastolic_bp",
        "heart_rate",
        "spo2_percent",
        "weight_kg",
        "height_cm",
        "pregnancy_status",
        "psychiatric_history",
    ]
    initial: dict[str, Any] = {name: getattr(latest, name) for name in names}
    initial.update(
        {f"screen__{code}": "yes" if value else "no" for code, value in latest.screening.items()}
    )
    return initial


@access_action("intake.view", post="intake.record")
@require_http_methods(["GET", "POST"])
def medications_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    form = MedicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        intake_services.medication_add(case=case, actor=request_user(request), **form.cleaned_data)
        messages.success(request, f"Added {form.cleaned_data['name']}.")
        return redirect("intake:medications", case_id=case.pk)
    context = {
        "case": case,
        "form": form,
        "medications": case.medications.filter(stopped_at=None),
        "flags": intake_rules.interaction_flags(case),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/medications.html", context, status=status)


def _post_action(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    action: Any,
    done: str,
    anchor: str = "intake",
) -> HttpResponse:
    """Run one small intake action; a refusal goes back (to the case page, or the page named
    by a same-site `next`) with its reason."""
    try:
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        action(**form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return _to_case(case, anchor)


@access_action("alert.acknowledge")
@require_POST
def alert_acknowledge(request: HttpRequest, case_id: int, alert_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    return _post_action(
        request,
        case,
        NoteForm(request.POST),
        lambda note: intake_services.alert_acknowledge(
            case=case, alert_id=alert_id, actor=request_user(request), note=note
        ),
        "Alert acknowledged.",
    )


@access_action("alert.decide")
@require_POST
def alert_decide(request: HttpRequest, case_id: int, alert_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    form = AlertDecisionForm(request.POST, esign_request=request)
    return _post_action(
        request,
        case,
        form,
        lambda **_: intake_services.alert_decide(
            case=case, alert_id=alert_id, actor=request_user(request), **form.as_kwargs()
        ),
        "Decision recorded.",
    )


@access_action("contraindication.override")
@require_POST
def contraindication_override(request: HttpRequest, case_id: int, code: str) -> HttpResponse:
    case = _clinical_case(request, case_id)
    return _post_action(
        request,
        case,
        ReasonForm(request.POST),
        lambda reason: intake_services.contraindication_override(
            case=case, code=code, actor=request_user(request), reason=reason
        ),
        "Override recorded.",
    )


@access_action("intake.record")
@require_POST
def medication_stop(request: HttpRequest, case_id: int, medication_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    return _post_action(
        request,
        case,
        forms.Form(request.POST),
        lambda: intake_services.medication_stop(
            case=case, medication_id=medication_id, actor=request_user(request)
        ),
        "Medication marked as stopped.",
    )


@access_action("intake.record")
@require_POST
def medication_list_confirm(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    return _post_action(
        request,
        case,
        forms.Form(request.POST),
        lambda: intake_services.medication_list_confirm(case=case, actor=request_user(request)),
        "Medication list confirmed as complete.",
    )


class AckForm(NoteForm):
    rule_code = forms.CharField(max_length=60)
    generic = forms.CharField(max_length=200)


@access_action("intake.record")
@require_POST
def interaction_acknowledge(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    return _post_action(
        request,
        case,
        AckForm(request.POST),
        lambda **data: intake_services.interaction_acknowledge(
            case=case, actor=request_user(request), **data
        ),
        "Interaction acknowledged.",
    )
