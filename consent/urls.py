from django.urls import URLPattern, URLResolver, path

from consent import views, views_countersign, views_staff, views_tablet

urlpatterns: list[URLPattern | URLResolver] = [
    path("consent/s/<str:token>/", views.link_start, name="consent_link"),
    path("consent/s/<str:token>/disclosure/", views.disclosure, name="consent_disclosure"),
    path("consent/s/<str:token>/read/", views.read, name="consent_read"),
    path("consent/s/<str:token>/questions/", views.questions, name="consent_questions"),
    path("consent/s/<str:token>/review/", views.review, name="consent_review"),
    path("consent/s/<str:token>/sign/", views.sign, name="consent_sign"),
    path("consent/s/<str:token>/decline/", views.decline, name="consent_decline"),
    path("consent/s/<str:token>/done/", views.done, name="consent_done"),
    path("consent/s/<str:token>/done/status/", views.copy_status, name="consent_copy_status"),
    path("consent/s/<str:token>/language/", views.language, name="consent_language"),
    path("consent/s/<str:token>/copy.pdf", views.link_pdf, name="consent_link_pdf"),
    path("consent/cases/<int:case_id>/invite/", views_staff.invite, name="consent_invite"),
    path(
        "consent/cases/<int:case_id>/tablet/",
        views_tablet.start,
        name="consent_tablet_start",
    ),
    # Outside tablet mode these answer 404; in it, `consent.urls_tablet` serves them.
    path("consent/tablet/<str:token>/", views_tablet.handover, name="consent_tablet_handover"),
    path("consent/tablet/<str:token>/done/", views_tablet.handback, name="consent_tablet_handback"),
    path("consent/tablet/<str:token>/exit/", views_tablet.leave, name="consent_tablet_exit"),
    path("consent/requests/<int:request_id>/revoke/", views_staff.revoke, name="consent_revoke"),
    path(
        "consent/paper-copies/<int:paper_id>/done/",
        views_staff.paper_copy_done,
        name="consent_paper_done",
    ),
    path(
        "consent/signatures/<int:signature_id>/pdf/",
        views_staff.signature_pdf,
        name="consent_signature_pdf",
    ),
    path(
        "consent/signatures/<int:signature_id>/countersign/clinician/",
        views_countersign.clinician,
        name="consent_countersign_clinician",
    ),
    path(
        "consent/signatures/<int:signature_id>/countersign/witness/",
        views_countersign.witness,
        name="consent_countersign_witness",
    ),
    path("consent/verify/", views_staff.verify, name="consent_verify"),
    path("me/consent/<int:case_id>/withdraw/", views_staff.withdraw, name="consent_withdraw"),
]
