from django.urls import URLPattern, path

from planning.pathway import views

app_name = "pathway"

urlpatterns: list[URLPattern] = [
    path("cases/", views.case_board, name="case_board"),
    path("cases/work/", views.work_queue, name="work_queue"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/new/patients/", views.patient_search, name="patient_search"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/transition/", views.case_transition, name="case_transition"),
    path("me/", views.patient_home, name="patient_home"),
    path("me/records/<int:record_id>/", views.own_record, name="own_record"),
    path("me/records/all.zip", views.own_archive, name="own_archive"),
]
