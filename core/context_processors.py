from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.models import ClinicSettings
from core.navigation import nav_links_for
from core.roles import is_staff_member, user_roles


def clinic(request: HttpRequest) -> dict[str, object]:
    roles = user_roles(getattr(request, "user", None))
    return {
        "clinic_name": settings.CLINIC_NAME,
        "user_roles": sorted(role.label for role in roles),
        "is_staff_member": is_staff_member(getattr(request, "user", None)),
        "demo_mailbox": bool(getattr(settings, "PATHWAY_DEMO_MAILBOX", False)),
        # read only by the pages that show how to reach the clinic (patients' pages)
        "clinic_contact": SimpleLazyObject(ClinicSettings.current),
        "nav_links": lambda: nav_links_for(getattr(request, "user", None)),
    }
