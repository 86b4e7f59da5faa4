from django.urls import path

from planning import intake_views, views

urlpatterns = [
    path("cases/", views.case_board, name="case_board"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/transition/", views.case_transition, name="case_transition"),
    path("me/", views.patient_home, name="patient_home"),
    path(
        "cases/<int:case_id>/intake/consultation/",
        intake_views.consultation_edit,
        name="intake_consultation",
    ),
    path(
        "cases/<int:case_id>/intake/evaluation/",
        intake_views.evaluation_edit,
        name="intake_evaluation",
    ),
    path(
        "cases/<int:case_id>/intake/medications/",
        intake_views.medications_edit,
        name="intake_medications",
    ),
    path(
        "cases/<int:case_id>/intake/medications/<int:medication_id>/stop/",
        intake_views.medication_stop,
        name="intake_medication_stop",
    ),
    path(
        "cases/<int:case_id>/intake/medications/confirm/",
        intake_views.medication_list_confirm,
        name="intake_medication_confirm",
    ),
    path(
        "cases/<int:case_id>/intake/interactions/acknowledge/",
        intake_views.interaction_acknowledge,
        name="intake_interaction_ack",
    ),
    path(
        "cases/<int:case_id>/alerts/<int:alert_id>/acknowledge/",
        intake_views.alert_acknowledge,
        name="intake_alert_ack",
    ),
    path(
        "cases/<int:case_id>/contraindications/<slug:code>/override/",
        intake_views.contraindication_override,
        name="intake_override",
    ),
    path("api/cases/<int:case_id>", views.api_case_detail, name="api_case_detail"),
    path(
        "api/cases/<int:case_id>/transitions",
        views.api_case_transition,
        name="api_case_transition",
    ),
]
