"""The records-request archive: written by export_case, verified by verify_export from the
archive alone; one changed byte in any member is caught, and so is a forged audit entry whose
digests were recomputed."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from interop import checkpoints
from interop.archive import MANIFEST, verify_archive

pytestmark = pytest.mark.django_db

MEMBERS = [
    "manifest.json",
    "manifest.sha256",
    "bundle.json",
    "records/consent-",
    "records/plan-",
    "records/case_summary-",
    "audit/entries.json",
    "audit/head.json",
    "audit/checkpoint.json",
    "seal/certificate.pem",
]
_built: dict[str, bytes] = {}


@pytest.fixture
def checkpoint_provider():
    """A stand-in for the signed-checkpoint app: the chain's head as the latest checkpoint."""
    from core.models import AuditEntry

    def provider():
        head = AuditEntry.objects.order_by("-seq").first()
        return {"seq": head.seq, "entry_hash": head.entry_hash, "signature": "test"}

    checkpoints.register_checkpoint_provider(provider)
    yield
    checkpoints._providers.remove(provider)


@pytest.fixture
def archive(request, tmp_path, checkpoint_provider) -> bytes:
    """Built once (the journey takes seconds) and reused: verifying needs no database."""
    if "zip" not in _built:
        request.getfixturevalue("sealing")
        from planning.followups.summary import case_summary_seal
        from tests.api.conftest import run_journey

        case = run_journey(tmp_path)
        case_summary_seal(case_id=case.pk, actor=None)  # every kind of record travels
        out = tmp_path / "case.zip"
        call_command("export_case", case.pk, out=out, stdout=io.StringIO())
        _built["zip"] = out.read_bytes()
    return _built["zip"]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_intact_archive_verifies_without_a_database(archive, tmp_path, django_assert_num_queries):
    path = tmp_path / "case.zip"
    path.write_bytes(archive)
    out = io.StringIO()
    with django_assert_num_queries(0):
        call_command("verify_export", path, stdout=out)
    text = out.getvalue()
    assert "INTACT" in text and "checkpoint at #" in text
    members = _members(archive)
    assert sorted(n.split("-")[0] for n in members if n.startswith("records/")) == [
        "records/case_summary",
        "records/consent",
        "records/plan",
    ]
    bundle = json.loads(members["bundle.json"])
    (document,) = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    sha256 = document["content"][0]["attachment"]["extension"][0]["valueString"]
    (pdf,) = [data for name, data in members.items() if name.startswith("records/case_summary-")]
    assert hashlib.sha256(pdf).hexdigest() == sha256
    entries = json.loads(members["audit/entries.json"])
    assert any(not e.get("redacted") and e["action"] == "case.transition" for e in entries)


@pytest.mark.parametrize("member", MEMBERS)
def test_one_changed_byte_in_any_member_is_caught(archive, member, tmp_path) -> None:
    members = _members(archive)
    (name,) = [n for n in members if n.startswith(member)]
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0x01
    members[name] = bytes(data)
    path = tmp_path / "changed.zip"
    path.write_bytes(_zip(members))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_export", path, stdout=out)
    assert exited.value.code == 1
    assert "NOT INTACT" in out.getvalue()


def test_forged_audit_entry_with_recomputed_digests_is_caught(archive) -> None:
    import hashlib

    members = _members(archive)
    entries = json.loads(members["audit/entries.json"])
    forged = next(e for e in entries if not e.get("redacted") and e["action"] == "case.transition")
    forged["data"]["reason"] = "someone else's words"
    members["audit/entries.json"] = json.dumps(entries).encode()
    manifest = json.loads(members[MANIFEST])
    manifest["members"]["audit/entries.json"] = hashlib.sha256(
        members["audit/entries.json"]
    ).hexdigest()
    members[MANIFEST] = json.dumps(manifest).encode()
    members["manifest.sha256"] = hashlib.sha256(members[MANIFEST]).hexdigest().encode()
    check = verify_archive(_zip(members))
    assert check.problems == [f"audit #{forged['seq']}: its content does not match its hash"]


def test_garbage_is_refused(tmp_path) -> None:
    path = tmp_path / "junk.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(SystemExit) as exited:
        call_command("verify_export", path, stdout=io.StringIO())
    assert exited.value.code == 1
