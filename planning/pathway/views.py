"""Staff and patient pages for cases. Each view: access check, form, one service, response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error, form_errors
from core.roles import Role, has_role, is_staff_member, user_roles
from planning.pathway import hooks, next_step, selectors, services, timeline
from planning.pathway.access import (
    access_case,
    access_own_record,
    access_queue,
    cases_visible_to,
    own_records,
)
from planning.pathway.archive import archive_limit, archive_request
from planning.pathway.board import BoardFilterForm, board_page
from planning.pathway.forms import CaseOpenForm, TransitionForm
from planning.pathway.models import Case
from planning.pathway.queues import Queue, queue_sections, queues_for
from planning.pathway.snapshot import CaseSnapshot
from planning.pathway.states import patient_state_text, state_label
from records.downloads import record_response


def start_page(user: Any) -> str | None:
    """Staff start on the board, patients on their own page (registered with core)."""
    if is_staff_member(user):
        return reverse("pathway:case_board")
    if has_role(user, Role.PATIENT):
        return reverse("pathway:patient_home")
    return None


class HtmxHttpRequest(HttpRequest):
    """A request through django_htmx's HtmxMiddleware (settings.MIDDLEWARE): `request.htmx`."""

    htmx: HtmxDetails


@access_action("case.board")
def case_board(request: HtmxHttpRequest) -> HttpResponse:
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
    if request.htmx:  # the filter form or a page/state link, swapped into #board-results
        # A link (hx-boost) sets filters the form does not show: its fields come back out of
        # band. Not when the form itself asked: the search box being typed in stays put.
        context["form_oob"] = bool(request.htmx.boosted)
        response = render(request, "pathway/_board_table.html", context)
    else:
        response = render(
            request, "pathway/board.html", {**context, **hooks.board_context(request, visible)}
        )
    patch_vary_headers(response, ("HX-Request",))  # a cache must not mix the two answers
    return response


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
    """Every card reads through one snapshot, so what two cards need is read once."""
    user = request_user(request)
    snapshot = CaseSnapshot(case, user)
    panels, panel_context = hooks.case_panels(request, snapshot)
    step = next_step.next_step(snapshot)
    kept = _pop_kept_reason(request, case)
    return {
        **panel_context,
        "panels": panels,
        "case": case,
        "patient": case.patient,
        **timeline.case_timeline_context(request, case),
        "next_step": step,
        "more_actions": next_step.other_transitions(
            step, services.available_transitions(case, user)
        ),
        "kept": kept,
        "state_label": state_label(case.state),
    }


_KEPT_REASON = "pathway.kept_reason"


def _keep_reason(request: HttpRequest, case: Case, transition: str, reason: str) -> None:
    """A refused step's typed reason, shown once on the case page it redirects to."""
    request.session[_KEPT_REASON] = {"case": case.pk, "transition": transition, "reason": reason}


def _pop_kept_reason(request: HttpRequest, case: Case) -> dict[str, str]:
    kept = request.session.pop(_KEPT_REASON, None)
    if not isinstance(kept, dict) or kept.get("case") != case.pk:
        return {}
    return {"transition": str(kept.get("transition", "")), "reason": str(kept.get("reason", ""))}


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
        # Post/redirect/get: the message and the typed reason survive; a reload posts nothing.
        messages.error(request, exc.message)
        _keep_reason(
            request, case, str(request.POST.get("transition", "")), request.POST.get("reason", "")
        )
        return _back(request, case)
    messages.success(request, f"Done: the case is now {state_label(case.state)}.")
    return _back(request, case)


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    if is_staff_member(request.user):
        return redirect("pathway:case_detail", case_id=case.pk)
    return redirect("pathway:patient_home")


def _patient_home(request: HttpRequest, *, status: int) -> HttpResponse:
    """The patient's page with a refusal message (the archive's rate or size limit)."""
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
    return render(request, "pathway/case_open.html", _open_context(request, form), status=status)


def _open_context(request: HttpRequest, form: CaseOpenForm) -> dict[str, Any]:
    """The picker shows the search's matches (`?q=`), the patient already chosen, and, when
    a registration looks like a duplicate, the patients it may duplicate."""
    query = request.GET.get("q", "").strip()
    found = selectors.patient_search(query) if query else []
    chosen = form.cleaned_data.get("existing_patient") if form.is_bound and form.errors else None
    lookalikes: list[Any] = []
    if "confirm_duplicate" in form.errors:
        born = form.cleaned_data.get("date_of_birth")
        given, family = form.cleaned_data.get("given_name"), form.cleaned_data.get("family_name")
        if born and given and family:
            lookalikes = selectors.patients_like(given, family, born)
    choices = list({p.pk: p for p in [*([chosen] if chosen else []), *lookalikes, *found]}.values())
    return {"form": form, "query": query, "patients": choices, "chosen": chosen}


@access_action("patient.search")
@require_http_methods(["GET"])
def patient_search(request: HttpRequest) -> HttpResponse:
    """The picker's results as you type (an HTML fragment swapped into the open-case form)."""
    query = request.GET.get("q", "").strip()[:100]
    patients = selectors.patient_search(query) if len(query) >= 2 else []
    return render(
        request,
        "pathway/_patient_results.html",
        {"patients": patients, "query": query, "chosen": None},
    )


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
        return _patient_home(request, status=exc.status)
    response = HttpResponse(archive.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
