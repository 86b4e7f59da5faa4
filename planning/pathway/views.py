"""Staff and patient pages for cases. Each view: access check, form, one service, response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error, form_errors
from core.roles import Role, has_role, is_staff_member, user_roles
from planning.pathway import hooks, selectors, services
from planning.pathway.access import access_case, access_queue, cases_visible_to
from planning.pathway.board import BoardFilterForm, board_page
from planning.pathway.forms import CaseOpenForm, TransitionForm
from planning.pathway.models import Case
from planning.pathway.queues import Queue, queue_sections, queues_for
from planning.pathway.states import state_label


def start_page(user: Any) -> str | None:
    """Staff start on the board, patients on their own page (registered with core)."""
    if is_staff_member(user):
        return reverse("pathway:case_board")
    if has_role(user, Role.PATIENT):
        return reverse("pathway:patient_home")
    return None


@access_action("case.board")
def case_board(request: HttpRequest) -> HttpResponse:
    """The board: a GET form of filters; htmx (HX-Request) gets only the table back."""
    visible = cases_visible_to(request.user, current_action(request))
    form = BoardFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "pathway/board.html", {"form": form}, status=400)
    data = form.cleaned_data if request.GET else {}
    context = {
        "form": form,
        "board": board_page(visible, data),
        "query": _query_without_page(request),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "pathway/_board_table.html", context)
    return render(
        request, "pathway/board.html", {**context, **hooks.board_context(request, visible)}
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@access_action("case.queue")
def work_queue(request: HttpRequest) -> HttpResponse:
    allowed = access_queue(request.user, request.GET.get("queue", ""))
    visible = cases_visible_to(request.user, current_action(request))
    context = {
        "queue": allowed[0],
        "queue_label": Queue(allowed[0]).label,
        "tabs": [(q, Queue(q).label) for q in sorted(allowed, key=list(Queue.values).index)],
        "sections": queue_sections(allowed[0], visible, timezone.now()),
    }
    return render(request, "pathway/work_queue.html", context)


def work_queue_link(user: Any) -> tuple[str, str] | None:
    """The header's link to the user's work queue (registered with core.navigation)."""
    roles = {r.value for r in user_roles(user)}
    if queues_for(roles, superuser=getattr(user, "is_superuser", False)):
        return ("My work", reverse("pathway:work_queue"))
    return None


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


def _render_case_page(request: HttpRequest, case: Case, *, status: int) -> HttpResponse:
    if is_staff_member(request.user):
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
        rows.append({"case": case, "label": state_label(case.state), "actions": actions})
    return {"rows": rows}
