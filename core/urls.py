from django.contrib.auth import views as auth_views
from django.urls import path

from core import views
from core.access import access_action

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        access_action("account.sign_in")(views.SignInView.as_view()),
        name="login",
    ),
    path(
        "accounts/logout/",
        access_action("account.sign_out")(auth_views.LogoutView.as_view()),
        name="logout",
    ),
    path("healthz", views.healthz, name="healthz"),
]
