from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include("api.urls")),
    path("", include("interop.urls")),
    path("", include("planning.pathway.urls")),
    path("", include("planning.intake.urls")),
    path("", include("planning.treatment.urls")),
    path("", include("planning.followups.urls")),
    path("", include("consent.urls")),
]
