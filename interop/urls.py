from django.urls import URLPattern, path, re_path

from api.errors import unknown_path
from interop import views

app_name = "interop"

urlpatterns: list[URLPattern] = [
    path("fhir/Patient", views.PatientCreate.as_view(), name="patient_create"),
    path("fhir/Patient/<int:patient_id>", views.PatientRead.as_view(), name="patient_read"),
    path("fhir/Consent", views.ConsentSearch.as_view(), name="consent_search"),
    re_path(r"^fhir/", unknown_path, name="unknown"),
]
