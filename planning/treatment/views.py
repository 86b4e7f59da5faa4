"""Pages for the dosing plan (physicians) and treatment sessions (clinicians)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import ESignatureFormMixin, add_domain_error, form_errors
from planning.intake import rules as intake_rules
from planning.pathway.access import access_case
from planning.pathway.models import Case
from planning.treatment import selectors
from planning.treatment.access import access_plan_pdf, access_rems_form, access_session
from planning.treatment.charts import session_vitals_charts
from planning.treatment.forms import (
    ApproveForm,
    DeviationForm,
    DischargeForm,
    DosingForm,
    MonitoringForm,
    NoteForm,
    PhysicianSignForm,
    PlanForm,
    PreDoseForm,
    ReasonForm,
    VitalsForm,
)
from planning.treatment.models import DosingPlan, Route
from planning.treatment.services import plans as plan_services
from planning.treatment.services import sessions as session_services
from records.downloads import record_response


def _clinical_case(request: HttpRequest, case_id: int) -> Case:
    return access_case(request.user, case_id, action=current_action(request))


@access_action("plan.view", post="plan.write")
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    draft = case.plans.filter(status=DosingPlan.Status.DRAFT).first()
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        initial=selectors.plan_initial(case, draft),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.plan_draft_save(
                case=case, actor=request_user(request), data=form.as_input()
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Draft saved. Review it, then sign to approve.")
            return redirect("treatment:plan_page", case_id=case.pk)
    approve_form = ApproveForm(
        initial={"plan_id": draft.pk if draft else None}, esign_request=request
    )
    context = {
        "case": case,
        "form": form,
        "approve_form": approve_form,
        **selectors.plan_context(case),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "treatment/plan.html", context, status=status)


@access_action("plan.approve")
@require_POST
def plan_approve(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    form = ApproveForm(request.POST, esign_request=request)
    try:
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        plan_services.plan_approve(
            case=case,
            plan_id=form.cleaned_data["plan_id"],
            actor=request_user(request),
            signature=form.esignature(),
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        context = {
            "case": case,
            "form": PlanForm(initial=selectors.plan_initial(case, None)),
            "approve_form": form,
            **selectors.plan_context(case),
        }
        return render(request, "treatment/plan.html", context, status=exc.status)
    messages.success(request, "Plan approved and signed. The case is now in active treatment.")
    return redirect("pathway:case_detail", case_id=case.pk)


@access_action("plan.amend")
@require_POST
def plan_amend(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        plan_services.plan_amend(case=case, actor=request_user(request), reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pathway:case_detail", case_id=case.pk)
    messages.success(request, "A new plan version was started from the approved one.")
    return redirect("treatment:plan_page", case_id=case.pk)


@access_action("plan.write")
@require_POST
def plan_renew(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    try:
        plan_services.plan_renew(case=case, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "A new version was started: review it and sign.")
    return redirect("treatment:plan_page", case_id=case.pk)


@access_action("plan.pdf")
def plan_pdf(request: HttpRequest, case_id: int, plan_id: int) -> HttpResponse:
    return record_response(access_plan_pdf(request.user, case_id, plan_id))


@access_action("treatment.complete_early")
@require_POST
def treatment_complete_early(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    form = ReasonForm(request.POST)
    try:
        session_services.treatment_complete_early(
            case=case,
            actor=request_user(request),
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Treatment completed early; the reason is recorded.")
    return redirect("pathway:case_detail", case_id=case.pk)


# Sessions ------------------------------------------------------------------------------------

SESSION_FORMS: dict[str, tuple[type[forms.Form], Any, str]] = {
    "predose": (PreDoseForm, lambda f: {"data": f.as_record()}, "session_predose_record"),
    "clearance": (PhysicianSignForm, lambda f: f.as_kwargs(), "session_bp_clearance"),
    "deviation": (DeviationForm, lambda f: f.as_kwargs(), "session_deviation_record"),
    "dosing": (DosingForm, lambda f: {"data": f.as_record()}, "session_record_dosing"),
    "vitals": (VitalsForm, lambda f: dict(f.cleaned_data), "session_vitals_add"),
    "monitoring": (MonitoringForm, lambda f: f.as_kwargs(), "session_monitoring"),
    "note": (NoteForm, lambda f: dict(f.cleaned_data), "session_physician_note"),
    "discharge": (DischargeForm, lambda f: {"discharge": f.as_discharge()}, "session_sign_off"),
}


def _session_form(
    form_class: type[forms.Form], request: HttpRequest, *, bound: bool, prefix: str
) -> forms.Form:
    data = request.POST if bound else None
    if issubclass(form_class, ESignatureFormMixin):  # a physician's signed decision
        return form_class(data, prefix=prefix, esign_request=request)
    return form_class(data, prefix=prefix)


@access_action("session.view", post="session.record")
@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    session = access_session(request.user, case_id, session_id, action=current_action(request))
    case = session.case
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms_ = {
        name: _session_form(form_class, request, bound=name == step, prefix=name)
        for name, (form_class, _, _) in SESSION_FORMS.items()
    }
    if session.plan.route != Route.INTRANASAL_ESKETAMINE:
        forms_["dosing"].fields.pop("device_count")  # devices are counted for esketamine only
    if not intake_rules.pregnancy_applies(case):
        forms_["predose"].fields.pop("pregnancy_status")
    status = 200
    if step in SESSION_FORMS:
        _, to_kwargs, service = SESSION_FORMS[step]
        form = forms_[step]
        if form.is_valid():
            try:
                getattr(session_services, service)(
                    case=case, session_id=session.pk, actor=request_user(request), **to_kwargs(form)
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Saved.")
                return redirect(
                    reverse("treatment:session_page", args=[case.pk, session.pk]) + f"#{step}"
                )
        else:
            status = 400
    context = {
        "case": case,
        "session": session,
        "forms": forms_,
        "rems": selectors.rems_form_data(session),
        **selectors.session_safety(request, case, session),
        "rems_records": selectors.rems_versions(session),
        "vitals_charts": session_vitals_charts(session),
    }
    return render(request, "treatment/session.html", context, status=status)


@access_action("session.record")
@require_POST
def rems_submitted(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    try:
        session_services.rems_mark_submitted(
            case=case, session_id=session_id, actor=request_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("treatment:session_page", case_id=case.pk, session_id=session_id)


@access_action("session.rems_pdf")
def rems_pdf(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    """The latest sealed REMS form (sealed now if the sign-off task has not run yet)."""
    from planning.treatment.rems import rems_form_seal

    session = access_rems_form(request.user, case_id, session_id)
    record = selectors.rems_record(session.case, session.pk) or rems_form_seal(
        session_id=session.pk
    )
    return record_response(record)


@access_action("session.record")
@require_POST
def rems_regenerate(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    """Seal a new version of the REMS form if its data or layout changed since the last one."""
    from planning.treatment.rems import rems_form_seal

    session = access_session(request.user, case_id, session_id, action=current_action(request))
    before = selectors.rems_record(session.case, session.pk)
    record = rems_form_seal(session_id=session.pk)
    if before is not None and record.pk == before.pk:
        messages.info(request, f"Nothing changed: version {record.version} is current.")
    else:
        messages.success(request, f"Sealed version {record.version} of the REMS form.")
    return redirect(reverse("treatment:session_page", args=[case_id, session_id]) + "#rems")
