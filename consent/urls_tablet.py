"""The only addresses a browser session in tablet mode reaches (`consent.tablet_mode`): the
hand-over, the signing pages (the phone's views and names, so their pages and redirects work
unchanged), the hand-back and the staff member's exit. Everything else is refused."""

from django.urls import URLPattern, URLResolver, path

from consent import views, views_tablet

T = "consent/tablet/<str:token>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_tablet.current, name="home"),
    path(T, views_tablet.handover, name="consent_tablet_handover"),
    path(T + "start/", views.link_start, name="consent_link"),
    path(T + "disclosure/", views.disclosure, name="consent_disclosure"),
    path(T + "read/", views.read, name="consent_read"),
    path(T + "questions/", views.questions, name="consent_questions"),
    path(T + "review/", views.review, name="consent_review"),
    path(T + "sign/", views.sign, name="consent_sign"),
    path(T + "decline/", views.decline, name="consent_decline"),
    path(T + "language/", views.language, name="consent_language"),
    path(T + "done/", views_tablet.handback, name="consent_done"),
    path(T + "done/", views_tablet.handback, name="consent_tablet_handback"),
    path(T + "exit/", views_tablet.leave, name="consent_tablet_exit"),
]
