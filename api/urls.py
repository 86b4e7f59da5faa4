from django.urls import URLPattern, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views
from api.errors import unknown_path

app_name = "api"

urlpatterns: list[URLPattern] = [
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from /api/docs?script (no inline script: CSP).
    path("api/docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("api/patients", views.PatientList.as_view(), name="patient_list"),
    path("api/patients/<int:patient_id>", views.PatientDetail.as_view(), name="patient_detail"),
    path("api/cases", views.CaseList.as_view(), name="case_list"),
    # The first two endpoints' URLs and bodies are unchanged.
    path("api/cases/<int:case_id>", views.CaseDetail.as_view(), name="case_detail"),
    path(
        "api/cases/<int:case_id>/transitions",
        views.CaseTransitions.as_view(),
        name="case_transitions",
    ),
    path("api/cases/<int:case_id>/followups", views.CaseFollowUps.as_view(), name="case_followups"),
    path("api/cases/<int:case_id>/records", views.CaseRecords.as_view(), name="case_records"),
    path(
        "api/cases/<int:case_id>/records/<slug:kind>/<int:record_id>",
        views.RecordDownload.as_view(),
        name="record_download",
    ),
    path("api/followups", views.FollowUpList.as_view(), name="followup_list"),
    # Anything else under /api/ is a JSON 404, not the HTML page.
    re_path(r"^api/", unknown_path, name="unknown"),
]
