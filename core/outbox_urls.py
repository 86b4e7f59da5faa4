"""Core's namespaced pages (`core:`)."""

from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("staff/outbox/", views.outbox, name="outbox"),
    path("staff/demo-mailbox/", views.demo_mailbox, name="demo_mailbox"),
]
