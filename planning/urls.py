from django.urls import path

from planning import followup_views, intake_views, plan_views, views

urlpatterns = [
    path("cases/", views.case_board, name="case_board"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/transition/", views.case_transition, name="case_transition"),
    path("me/", views.patient_home, name="patient_home"),
    path("f/<str:token>/", followup_views.followup_link_view, name="followup_link"),
    path("cases/<int:case_id>/followups/add/", followup_views.followup_add, name="followup_add"),
    path(
        "cases/<int:case_id>/followups/<int:followup_id>/reschedule/",
        followup_views.followup_reschedule,
        name="followup_reschedule",
    ),
    path(
        "cases/<int:case_id>/followups/<int:followup_id>/complete/",
        followup_views.followup_complete,
        name="followup_complete",
    ),
    path("cases/<int:case_id>/plan/", plan_views.plan_page, name="plan_page"),
    path("cases/<int:case_id>/plan/approve/", plan_views.plan_approve, name="plan_approve"),
    path("cases/<int:case_id>/plan/amend/", plan_views.plan_amend, name="plan_amend"),
    path("cases/<int:case_id>/plan/<int:plan_id>/pdf/", plan_views.plan_pdf, name="plan_pdf"),
    path(
        "cases/<int:case_id>/complete-early/",
        plan_views.treatment_complete_early,
        name="treatment_complete_early",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/",
        plan_views.session_page,
        name="session_page",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/rems.pdf",
        plan_views.rems_pdf,
        name="rems_pdf",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/rems-submitted/",
        plan_views.rems_submitted,
        name="rems_submitted",
    ),
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
