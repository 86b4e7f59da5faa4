from django.urls import URLPattern, path

from planning.treatment import views

app_name = "treatment"

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/plan/", views.plan_page, name="plan_page"),
    path("cases/<int:case_id>/plan/approve/", views.plan_approve, name="plan_approve"),
    path("cases/<int:case_id>/plan/amend/", views.plan_amend, name="plan_amend"),
    path("cases/<int:case_id>/plan/renew/", views.plan_renew, name="plan_renew"),
    path("cases/<int:case_id>/plan/<int:plan_id>/pdf/", views.plan_pdf, name="plan_pdf"),
    path(
        "cases/<int:case_id>/complete-early/",
        views.treatment_complete_early,
        name="complete_early",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/",
        views.session_page,
        name="session_page",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/rems.pdf",
        views.rems_pdf,
        name="rems_pdf",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/rems-regenerate/",
        views.rems_regenerate,
        name="rems_regenerate",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/rems-submitted/",
        views.rems_submitted,
        name="rems_submitted",
    ),
]
