from django.contrib.auth import views as auth_views
from django.urls import path

from core import account_views, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/login/code/", account_views.sign_in_code, name="login_code"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/security/", account_views.security, name="security"),
    path("account/security/app/", account_views.security_totp, name="security_totp"),
    path(
        "account/security/recovery-codes/",
        account_views.security_recovery_codes,
        name="security_recovery_codes",
    ),
    path("account/security/remove/", account_views.security_remove, name="security_remove"),
    path(
        "account/sign-out-everywhere/",
        account_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
