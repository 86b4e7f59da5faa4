"""Consent fixtures: a generated clinic certificate (once per session), settings pointing to
it, Celery tasks run eagerly, a published document, and a case waiting for consent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from consent.models import ConsentDocument
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory


@pytest.fixture(scope="session")
def clinic_cert(seal_files: tuple[Path, Path]) -> tuple[Path, Path]:
    return seal_files


@pytest.fixture(autouse=True)
def _consent_settings(settings: Any, sealing: tuple[Path, Path]) -> Iterator[None]:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PATHWAY_BASE_URL = "http://testserver"
    from workers.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the Celery app read its settings once, at start-up
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def document(db: None, clinic_admin: Any) -> ConsentDocument:
    return consent_demo_document_seed(actor=clinic_admin)


@pytest.fixture
def consent_case(document: ConsentDocument) -> Any:
    return CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__given_name="Zoë",
        patient__family_name="O'Hara-Lindqvist",
        patient__email="zoe@example.invalid",
    )


@pytest.fixture
def desk(db: None) -> Any:
    return make_user(Role.ADMIN_STAFF, first_name="Sol", last_name="Rivera")
