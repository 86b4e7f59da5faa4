"""Shared fixtures, and the rule for tests that need PostgreSQL, Redis or Chromium: they skip
with a visible reason where the service is missing, and fail instead where it is required
(`PATHWAY_REQUIRE=postgres,redis,browser`, which CI sets)."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.signals import post_migrate

from core.models import User
from core.roles import Role
from tests.factories import CaseFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _reseed_reference_data(sender: Any, **_: Any) -> None:
    """A flush (after a `transaction=True` test) empties every table, the rows the data
    migrations seeded included; put them back the way the migrations do. Tests only: in a
    clinic's database the migrations are the one place that seeds reference data."""
    if getattr(sender, "label", "") != "planning":
        return
    for name in ("0005_intake_reference_data", "0007_protocol_seed"):
        importlib.import_module(f"planning.migrations.{name}").forward(global_apps, None)


post_migrate.connect(_reseed_reference_data, dispatch_uid="tests-reseed-reference-data")

ARTIFACTS = Path(os.environ.get("PATHWAY_TEST_ARTIFACTS", "var/test-artifacts"))
CHROMIUM = os.environ.get("PATHWAY_CHROMIUM", "/usr/bin/chromium")


def required_services() -> set[str]:
    explicit = os.environ.get("PATHWAY_REQUIRE")
    if explicit is not None:
        return {s.strip() for s in explicit.split(",") if s.strip()}
    return {"browser"} if os.environ.get("CI", "").lower() == "true" else set()


def _unavailable(service: str, reason: str) -> None:
    if service in required_services():
        pytest.fail(f"{service} is required here but unavailable: {reason}", pytrace=False)
    pytest.skip(f"needs {service}: {reason}")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    host_port = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _unavailable("postgres", "the test database is not PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("redis") and not _redis_reachable():
        _unavailable("redis", "no Redis server answers at REDIS_URL")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _unavailable("browser", f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _isolated_cache(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each test gets its own cache, so sign-in rate limits do not leak between tests."""
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }


def make_user(role: Role | None, **kwargs: object) -> User:
    user: User = UserFactory(**kwargs)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def clinician(db: None) -> User:
    return make_user(Role.CLINICIAN, first_name="Tove", last_name="Lind")


@pytest.fixture
def physician(db: None) -> User:
    return make_user(Role.PHYSICIAN, first_name="Amara", last_name="Okafor")


@pytest.fixture
def admin_staff(db: None) -> User:
    return make_user(Role.ADMIN_STAFF)


@pytest.fixture
def clinic_admin(db: None) -> User:
    return make_user(Role.CLINIC_ADMIN, is_staff=True)


@pytest.fixture
def patient_user(db: None) -> User:
    return make_user(Role.PATIENT)


@pytest.fixture
def own_case(patient_user: User):  # type: ignore[no-untyped-def]
    """A case whose patient signs in as `patient_user`."""
    return CaseFactory(patient__user=patient_user)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@dataclass(frozen=True)
class TestPki:
    key: Path
    cert: Path  # the clinic seal certificate, then the test root CA
    root: Path
    tsa_url: str


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """The Certomancer test PKI (TSA, OCSP, CRL) on an ephemeral 127.0.0.1 port for the whole
    session, and the clinic seal certificate it issues."""
    from records.testpki import Services, seal_pems, tsa_url

    folder = tmp_path_factory.mktemp("testpki")
    services = Services(folder / "keys").start()
    pems = seal_pems(folder / "keys", services.port)
    for name, data in (("key", pems.key_pem), ("cert", pems.cert_pem), ("root", pems.root_pem)):
        (folder / f"{name}.pem").write_bytes(data)
    yield TestPki(
        folder / "key.pem", folder / "cert.pem", folder / "root.pem", tsa_url(services.port)
    )
    services.stop()


@pytest.fixture(scope="session")
def seal_files(test_pki: TestPki) -> tuple[Path, Path]:
    """The clinic seal key and certificate (issued by the test PKI's root CA)."""
    return test_pki.key, test_pki.cert


@pytest.fixture
def sealing(settings: Any, test_pki: TestPki) -> tuple[Path, Path]:
    """Settings pointing at the test seal and TSA (every seal reaches B-LTA); tasks run eagerly
    so PDFs exist after a request."""
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = test_pki.key, test_pki.cert
    settings.SEAL_TRUST_ROOT_PATH = str(test_pki.root)
    settings.PATHWAY_TSA_URL = test_pki.tsa_url
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return test_pki.key, test_pki.cert


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Password hashing is deliberately slow; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No test seals with whatever seal key the checkout holds (`make demo` writes one under
    # var/seal whose revocation and time-stamp services are the demo's, down once it stops):
    # a test that seals uses the `sealing` fixture; the rest see no key material.
    import tempfile
    from pathlib import Path

    seal_dir = Path(tempfile.mkdtemp(prefix="pathway-test-seal-"))
    settings.SEAL_KEY_PATH = seal_dir / "clinic-seal.key.pem"
    settings.SEAL_CERT_PATH = seal_dir / "clinic-seal.cert.pem"
