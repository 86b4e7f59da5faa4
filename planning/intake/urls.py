from django.urls import URLPattern, path

from planning.intake import views

app_name = "intake"

urlpatterns: list[URLPattern] = [
    path(
        "cases/<int:case_id>/intake/consultation/",
        views.consultation_edit,
        name="consultation",
    ),
    path(
        "cases/<int:case_id>/intake/evaluation/",
        views.evaluation_edit,
        name="evaluation",
    ),
    path(
        "cases/<int:case_id>/intake/medications/",
        views.medications_edit,
        name="medications",
    ),
    path(
        "cases/<int:case_id>/intake/medications/<int:medication_id>/stop/",
        views.medication_stop,
        name="medication_stop",
    ),
    path(
        "cases/<int:case_id>/intake/medications/confirm/",
        views.medication_list_confirm,
        name="medication_confirm",
    ),
    path(
        "cases/<int:case_id>/intake/interactions/acknowledge/",
        views.interaction_acknowledge,
        name="interaction_ack",
    ),
    path(
        "cases/<int:case_id>/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_ack",
    ),
    path(
        "cases/<int:case_id>/alerts/<int:alert_id>/decide/",
        views.alert_decide,
        name="alert_decide",
    ),
    path(
        "cases/<int:case_id>/contraindications/<slug:code>/override/",
        views.contraindication_override,
        name="override",
    ),
]
