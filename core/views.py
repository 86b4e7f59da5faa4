from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.access import access_action, request_user
from core.account_views import SignInView
from core.errors import ValidationFailed
from core.i18n import patient_language_set, signed_in_language
from core.middleware import wants_json
from core.navigation import start_page_for
from core.selectors import demo_messages, outbox_page

__all__ = ["SignInView", "csrf_failure", "healthz", "home", "language_set"]


@access_action("home")
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts from (registered by the owning app)."""
    url = start_page_for(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "core/no_role.html", status=403)


@access_action("patient.language")
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher of a signed-in patient's pages: saved on the patient, back to the
    page it was pressed on."""
    patient = getattr(request_user(request), "patient_profile", None)
    if patient is None:
        raise Http404("Only patients choose a language here.")
    try:
        patient_language_set(
            patient_id=patient.pk,
            language=request.POST.get("language", ""),
            actor=request_user(request),
            via="patient page",
        )
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    signed_in_language(request, refresh=True)
    return redirect(safe_next(request))


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok and target.startswith("/") else default


def liveness(request: HttpRequest) -> HttpResponse:
    """Answers while the process runs; no I/O (core.health.ProbeMiddleware calls it directly,
    before the session and authentication middleware)."""
    return HttpResponse("ok", content_type="text/plain")


healthz = access_action("system.health")(liveness)


@access_action("outbox.view")
def outbox(request: HttpRequest) -> HttpResponse:
    """Messages that failed for good, and those still waiting, with their retry counts."""
    return render(request, "core/outbox.html", {"page": outbox_page()})


@access_action("outbox.demo_mailbox")
def demo_mailbox(request: HttpRequest) -> HttpResponse:
    """The demo's sent messages, readable, links clickable; a 404 wherever the demo mailbox is
    off (production always)."""
    if not getattr(settings, "PATHWAY_DEMO_MAILBOX", False):
        raise Http404("There is no demo mailbox here.")
    return render(request, "core/demo_mailbox.html", {"messages_sent": demo_messages()})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: JSON for the API, the normal 403 page elsewhere (never the reason's
    technical detail to the user)."""
    message = "The form or request expired or did not come from this site. Reload and retry."
    if wants_json(request):
        return JsonResponse({"error": "csrf_failed", "message": message}, status=403)
    return render(request, "403.html", {"exception": message}, status=403)
