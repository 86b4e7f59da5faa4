from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from core.models import ClinicSettings
from core.navigation import nav_links_for
from core.roles import is_staff_member, user_roles


def clinic(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    roles = user_roles(user)
    staff = is_staff_member(user)
    context: dict[str, object] = {
        "clinic_name": settings.CLINIC_NAME,
        "user_roles": sorted(role.label for role in roles),
        "is_staff_member": staff,
        "demo_mailbox": bool(getattr(settings, "PATHWAY_DEMO_MAILBOX", False)),
        # read only by the pages that show how to reach the clinic (patients' pages)
        "clinic_contact": SimpleLazyObject(ClinicSettings.current),
        "nav_links": lambda: nav_links_for(user),
    }
    link_switch = getattr(request, "language_switch_url", None)  # set by a link's pages
    if link_switch:
        context["language_switch_url"] = link_switch
    elif user is not None and user.is_authenticated and not staff:
        context["language_switch_url"] = reverse("language_set")  # a patient's pages
    return context
