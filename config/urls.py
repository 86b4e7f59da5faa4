from django.contrib import admin
from django.urls import include, path

from core.access import access_action
from core.account_views import admin_login

urlpatterns = [
    # Before admin.site.urls: the admin signs in through Pathway's form, lockout and 2FA.
    path("admin/login/", access_action("account.sign_in")(admin_login), name="admin_login"),
    path("admin/", admin.site.urls),
    path("account/passkeys/", include("core.passkeys")),
    path("", include("core.urls")),
    path("", include("core.outbox_urls")),
    path("", include("api.urls")),
    path("", include("interop.urls")),
    path("", include("planning.pathway.urls")),
    path("", include("planning.intake.urls")),
    path("", include("planning.treatment.urls")),
    path("", include("planning.followups.urls")),
    path("", include("consent.urls")),
]
