"""Staff and patient pages for cases. Each view: access check, form, one service, response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error, form_errors
from core.roles import Role, has_role, is_staff_member
from planning.pathway import hooks, selectors, services
from planning.pathway.access import access_case, access_own_record, cases_visible_to, own_records
from planning.pathway.archive import archive_limit, archive_request
from planning.pathway.forms import CaseOpenForm, TransitionForm
from planning.pathway.models import Case
from planning.pathway.states import CaseState, patient_state_text, state_label
from records.downloads import record_response


def start_page(user: Any) -> str | None:
    """Staff start on the board, patients on their own page (registered with core)."""
    if is_staff_member(user):
        return reverse("pathway:case_board")
    if has_role(user, Role.PATIENT):
        return reverse("pathway:patient_home")
    return None


@access_action("case.board")
def case_board(request: HttpRequest) -> HttpResponse:
    visible = cases_visible_to(request.user, current_action(request))
    state = request.GET.get("state", "")
    if state in CaseState.values:
        context = {"cases": visible.filter(state=state), "state_label": state_label(state)}
        return render(request, "pathway/case_list.html", context)
    context = {"columns": selectors.case_board(visible), **hooks.board_context(request, visible)}
    return render(request, "pathway/board.html", context)


@access_action("case.view")
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id, action=current_action(request))
    return render(request, "pathway/case_detail.html", _case_context(request, case))


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    panels, panel_context = hooks.case_panels(request, case)
    return {
        **panel_context,
        "panels": panels,
        "case": case,
        "patient": case.patient,
        "timeline": selectors.case_timeline(case),
        "actions": [
            spec
            for spec in services.available_transitions(case, request_user(request))
            if spec.staff_button
        ],
        "state_label": state_label(case.state),
    }


@access_action("case.transition")
@require_POST
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    """Staff buttons and the patient's withdrawal both post here."""
    case = access_case(request.user, case_id, action=current_action(request))
    form = TransitionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        case = services.case_transition(
            case_id=case.pk, actor=request_user(request), **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_case_page(request, case, status=exc.status)
    messages.success(request, f"Done: the case is now {state_label(case.state)}.")
    if is_staff_member(request.user):
        return redirect("pathway:case_detail", case_id=case.pk)
    return redirect("pathway:patient_home")


def _render_case_page(request: HttpRequest, case: Case | None, *, status: int) -> HttpResponse:
    if case is not None and is_staff_member(request.user):
        case.refresh_from_db()
        return render(
            request, "pathway/case_detail.html", _case_context(request, case), status=status
        )
    return render(request, "pathway/patient_home.html", _patient_context(request), status=status)


@access_action("case.open")
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open_for(actor=request_user(request), **form.cleaned_data)
        except ValidationFailed as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Case #{case.pk} opened for {case.patient.full_name}.")
            return redirect("pathway:case_detail", case_id=case.pk)
    status = 400 if form.errors else 200
    return render(request, "pathway/case_open.html", {"form": form}, status=status)


@access_action("case.home")
def patient_home(request: HttpRequest) -> HttpResponse:
    """A patient's own page; staff who land here are sent to the board."""
    if is_staff_member(request.user):
        return redirect("pathway:case_board")
    return render(request, "pathway/patient_home.html", _patient_context(request))


def _patient_context(request: HttpRequest) -> dict[str, Any]:
    cases = cases_visible_to(request.user, "case.home")
    rows = []
    for case in cases:
        actions = services.available_transitions(case, request_user(request))
        now, then = patient_state_text(case.state)
        rows.append(
            {
                "case": case,
                "label": state_label(case.state),
                "stands": now,
                "next": then,
                "actions": actions,
                "panels": hooks.patient_panels(request, case),
            }
        )
    records = own_records(request.user, "record.own") if rows else []
    return {"rows": rows, "records": records, "archive_per_hour": archive_limit()}


@access_action("record.own")
def own_record(request: HttpRequest, record_id: int) -> HttpResponse:
    """One of the patient's own sealed PDFs: opened in the browser, or `?download=1`."""
    record = access_own_record(request.user, record_id)
    return record_response(record, inline=request.GET.get("download") != "1")


@access_action("case.home", post="record.archive")
@require_POST
def own_archive(request: HttpRequest) -> HttpResponse:
    """ "Download all my records": one ZIP, audited and rate-limited (`pathway.archive`)."""
    try:
        archive = archive_request(user=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_case_page(request, None, status=exc.status)
    response = HttpResponse(archive.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
