"""Every page, for every role, with existing and missing ids and with junk posted: never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from core.roles import Role
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory
from tests.routes import project_routes

pytestmark = pytest.mark.django_db

TEXT_KWARGS = {"code": "psychosis_history", "token": "nope"}


def ids_for(kwargs: list[str], ident: int) -> dict[str, int | str]:
    """Every kwarg of a route filled: a new kind of text kwarg fails here until it is listed."""
    return {name: ident if name.endswith("_id") else TEXT_KWARGS[name] for name in kwargs}


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
    for route in project_routes():
        if route.pattern.startswith("accounts/log"):
            continue  # signing out would turn the rest into anonymous requests
        if route.pattern == "readyz":
            continue  # 503 is its answer while no worker runs (tests/core/test_health.py)
        for ident in (case.pk, 999999):
            url = route.fill(ids_for(route.kwargs, ident))
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"junk": "x", "reason": "", "note": ""})
                visited += 1
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []
    assert visited > 150  # every route, twice each way
