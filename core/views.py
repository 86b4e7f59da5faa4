from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.access import staff_required
from core.forms import SignInForm
from core.navigation import start_page_for
from core.selectors import outbox_page


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts from (registered by the owning app)."""
    url = start_page_for(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "core/no_role.html", status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Messages that failed for good, and those still waiting, with their retry counts."""
    return render(request, "core/outbox.html", {"page": outbox_page()})
