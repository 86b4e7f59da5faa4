from django.contrib.auth import views as auth_views
from django.urls import path

from core import account_views, health, views
from core.access import access_action

urlpatterns = [
    path("", views.home, name="home"),
    path("me/language/", views.language_set, name="language_set"),
    path(
        "accounts/login/",
        access_action("account.sign_in")(account_views.SignInView.as_view()),
        name="login",
    ),
    path(
        "accounts/login/code/",
        access_action("account.sign_in")(account_views.sign_in_code),
        name="login_code",
    ),
    path(
        "accounts/logout/",
        access_action("account.sign_out")(auth_views.LogoutView.as_view()),
        name="logout",
    ),
    path(
        "account/security/",
        access_action("account.security")(account_views.security),
        name="security",
    ),
    path(
        "account/security/app/",
        access_action("account.security")(account_views.security_totp),
        name="security_totp",
    ),
    path(
        "account/security/recovery-codes/",
        access_action("account.security")(account_views.security_recovery_codes),
        name="security_recovery_codes",
    ),
    path(
        "account/security/remove/",
        access_action("account.security")(account_views.security_remove),
        name="security_remove",
    ),
    path(
        "account/sign-out-everywhere/",
        access_action("account.security")(account_views.sign_out_everywhere),
        name="sign_out_everywhere",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", access_action("system.health")(health.readyz), name="readyz"),
]
