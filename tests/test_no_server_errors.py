"""Every page, for every role, with existing and missing ids and with junk posted: never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.roles import Role
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if "admin" in str(entry.pattern):
                continue
            found += _patterns(entry, prefix + str(entry.pattern))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


def _fill(route: str, ident: int) -> str:
    path = route
    for name in (
        "case_id",
        "session_id",
        "plan_id",
        "followup_id",
        "alert_id",
        "medication_id",
        "signature_id",
        "request_id",
        "paper_request_id",
        "pdf_id",
        "pk",
        "id",
    ):
        path = path.replace(f"<int:{name}>", str(ident))
    path = path.replace("<slug:code>", "psychosis_history").replace("<str:token>", "nope")
    return "/" + path.replace("^", "").replace("$", "")


@pytest.mark.parametrize(
    "role",
    [Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN, Role.PATIENT, None],
)
def test_no_page_answers_500(role) -> None:
    user = make_user(role)
    case = CaseFactory(
        state=CaseState.ACTIVE, **({"patient__user": user} if role is Role.PATIENT else {})
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    failures, visited = [], 0
    for route, _ in _patterns(get_resolver()):
        if "<path" in route or route.startswith("accounts/log"):
            continue  # static files; signing out would turn the rest into anonymous requests
        if route == "readyz":
            continue  # 503 is its answer while no worker runs (tests/core/test_health.py)
        for ident in (case.pk, 999999):
            url = _fill(route, ident)
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"junk": "x", "reason": "", "note": ""})
                visited += 1
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []
    assert visited > 150  # every route, twice each way
