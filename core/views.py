from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.access import access_action
from core.forms import SignInForm
from core.navigation import start_page_for


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@access_action("home")
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts from (registered by the owning app)."""
    url = start_page_for(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "core/no_role.html", status=403)


@access_action("system.health")
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
