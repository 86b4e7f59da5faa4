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
from records.sealing import make_self_signed_certificate
from tests.conftest import make_user
from tests.factories import CaseFactory


@pytest.fixture(scope="session")
def clinic_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("seal")
    key_pem, cert_pem = make_self_signed_certificate(
        common_name="Test Clinic consent seal", organization="Test Clinic"
    )
    (folder / "key.pem").write_bytes(key_pem)
    (folder / "cert.pem").write_bytes(cert_pem)
    return folder / "key.pem", folder / "cert.pem"


@pytest.fixture(autouse=True)
def _consent_settings(settings: Any, clinic_cert: tuple[Path, Path]) -> Iterator[None]:
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = clinic_cert
    settings.SEAL_TRUST_ROOT_PATH = ""
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
