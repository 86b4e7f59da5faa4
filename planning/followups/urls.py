from django.urls import URLPattern, path

from planning.followups import views

app_name = "followups"

urlpatterns: list[URLPattern] = [
    path("f/<str:token>/", views.followup_link_view, name="link"),
    path(
        "me/cases/<int:case_id>/questionnaires/<int:followup_id>/",
        views.followup_answer,
        name="answer",
    ),
    path("cases/<int:case_id>/followups/add/", views.followup_add, name="add"),
    path(
        "cases/<int:case_id>/followups/<int:followup_id>/reschedule/",
        views.followup_reschedule,
        name="reschedule",
    ),
    path(
        "cases/<int:case_id>/followups/<int:followup_id>/complete/",
        views.followup_complete,
        name="complete",
    ),
    path("cases/<int:case_id>/summary/", views.case_summary_pdf, name="case_summary_pdf"),
    path("cases/<int:case_id>/summary/seal/", views.case_summary_seal, name="case_summary_seal"),
]
