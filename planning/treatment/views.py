"""Pages for the dosing plan (physicians) and treatment sessions (clinicians)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.access import request_user, require_perm, staff_required
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error
from planning.pathway.access import access_clinical_case
from planning.pathway.models import Case
from planning.treatment import selectors
from planning.treatment.forms import (
    ApproveForm,
    DischargeForm,
    DosingForm,
    MonitoringForm,
    NoteForm,
    PlanForm,
    ReasonForm,
    VitalsForm,
)
from planning.treatment.models import DosingPlan, Route, TreatmentSession
from planning.treatment.services import plans as plan_services
from planning.treatment.services import sessions as session_services
from records.downloads import record_download


def _clinical_case(request: HttpRequest, case_id: int) -> Case:
    return access_clinical_case(request.user, case_id, perm="planning.view_clinical")


@staff_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    if request.method == "POST":
        require_perm(request.user, "planning.approve_plan", what=f"write plan of case:{case_id}")
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
    context = {"case": case, "form": form, **selectors.plan_context(case)}
    status = 400 if request.method == "POST" else 200
    return render(request, "treatment/plan.html", context, status=status)


@require_POST
@staff_required
def plan_approve(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    form = ApproveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed({"password": "Re-enter your password to sign."})
        plan_services.plan_approve(
            case=case,
            plan_id=form.cleaned_data["plan_id"],
            actor=request_user(request),
            password=form.cleaned_data["password"],
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


@require_POST
@staff_required
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


@staff_required
def plan_pdf(request: HttpRequest, case_id: int, plan_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    record = selectors.plan_record(case, plan_id)
    if record is None:
        raise Http404("The sealed PDF of this plan is not ready yet.")
    return record_download(record, actor=request_user(request), via="plan-page")


@require_POST
@staff_required
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
    "dosing": (DosingForm, lambda f: {"data": f.as_record()}, "session_record_dosing"),
    "vitals": (VitalsForm, lambda f: dict(f.cleaned_data), "session_vitals_add"),
    "monitoring": (MonitoringForm, lambda f: f.as_kwargs(), "session_monitoring"),
    "note": (NoteForm, lambda f: dict(f.cleaned_data), "session_physician_note"),
    "discharge": (DischargeForm, lambda f: {"discharge": f.as_discharge()}, "session_sign_off"),
}


def _session(case: Case, session_id: int) -> TreatmentSession:
    session = case.sessions.select_related("plan__protocol").filter(pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


@staff_required
@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    session = _session(case, session_id)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms_ = {
        name: form_class(request.POST if name == step else None, prefix=name)
        for name, (form_class, _, _) in SESSION_FORMS.items()
    }
    if session.plan.route != Route.INTRANASAL_ESKETAMINE:
        forms_["dosing"].fields.pop("device_count")  # devices are counted for esketamine only
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
            else:
                messages.success(request, "Saved.")
                return redirect(
                    reverse("treatment:session_page", args=[case.pk, session.pk]) + f"#{step}"
                )
        status = 400
    context = {
        "case": case,
        "session": session,
        "forms": forms_,
        "rems": selectors.rems_form_data(session),
        "rems_records": selectors.rems_versions(session),
    }
    return render(request, "treatment/session.html", context, status=status)


@require_POST
@staff_required
def rems_submitted(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _clinical_case(request, case_id)
    try:
        session_services.rems_mark_submitted(
            case=case, session_id=session_id, actor=request_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("treatment:session_page", case_id=case.pk, session_id=session_id)


@staff_required
def rems_pdf(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    """The latest sealed REMS form (sealed now if the sign-off task has not run yet)."""
    from planning.treatment.rems import rems_form_seal

    case = _clinical_case(request, case_id)
    record = selectors.rems_record(case, session_id) or rems_form_seal(
        session_id=_session(case, session_id).pk
    )
    return record_download(record, actor=request_user(request), via="session-page")


@require_POST
@staff_required
def rems_regenerate(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    """Seal a new version of the REMS form if its data or layout changed since the last one."""
    from planning.treatment.rems import rems_form_seal

    case = _clinical_case(request, case_id)
    before = selectors.rems_record(case, session_id)
    record = rems_form_seal(session_id=_session(case, session_id).pk)
    if before is not None and record.pk == before.pk:
        messages.info(request, f"Nothing changed: version {record.version} is current.")
    else:
        messages.success(request, f"Sealed version {record.version} of the REMS form.")
    return redirect(reverse("treatment:session_page", args=[case.pk, session_id]) + "#rems")
