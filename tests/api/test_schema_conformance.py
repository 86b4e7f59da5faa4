"""Schemathesis against the OpenAPI document the app serves: for every operation, generated
valid and invalid requests (a physician's token, real rows to find) never get a 5xx, and every
response matches the schema (status documented, body and content type as declared)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from planning.pathway.states import CaseState
from tests.api.conftest import token_client
from tests.factories import CaseFactory

# Generating the document touches no database, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request (Django's test client
    does not): the test's transaction must survive, as with the client."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth(physician) -> dict[str, str]:
    CaseFactory.create_batch(2, state=CaseState.EVALUATION)
    return {"Authorization": token_client(physician)._credentials["HTTP_AUTHORIZATION"]}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, auth) -> None:
    case.call_and_validate(headers=auth)
