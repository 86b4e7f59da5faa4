"""Signed checkpoints and the tamper suite: audit_verify names truncation, a deleted entry, a
rewritten-and-rehashed stretch, and an older checkpoint file put in place of the newest."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.audit import audit_record, audit_sequence
from core.audit.checkpoints import audit_checkpoint, checkpoint_files, read_file
from core.audit.keys import CheckpointKeyMissing
from core.audit.trail import TrailReport, verify_trail
from core.models import AppendOnlyError, AuditCheckpoint, AuditEntry
from tests.core import test_audit_support as support

checkpoint_dir = support.checkpoint_dir  # fixture
sequencing = support.sequencing  # fixture


def _entries(n: int) -> None:
    for i in range(n):
        audit_record(action="test.entry", target=f"thing:{i}", data={"n": i})
    audit_sequence()


def _kinds(report: TrailReport) -> dict[str, int | None]:
    return {p.kind: p.first_bad_seq for p in report.problems}


def _verify_fails(pattern: str) -> None:
    with pytest.raises(CommandError, match=pattern):
        call_command("audit_verify")


@pytest.mark.django_db
def test_checkpoint_is_signed_stored_as_row_and_file_and_noted_in_the_trail(
    sequencing: str, checkpoint_dir: Path, capsys: Any
) -> None:
    _entries(5)
    row = audit_checkpoint()
    assert row.seq == 5 and row.head_hash == AuditEntry.objects.get(seq=5).entry_hash
    [path] = checkpoint_files()
    on_disk = read_file(path)
    assert on_disk.checkpoint_hash == row.checkpoint_hash and on_disk.payload_text == row.payload
    assert [s for s, _ in on_disk.witnesses()] == [1, 2, 3, 4, 5]
    audit_sequence()
    noted = AuditEntry.objects.get(action="audit.checkpoint")
    assert noted.data["checkpoint_hash"] == row.checkpoint_hash and noted.seq == 6
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "intact: 6 entries" in out and "signed checkpoint at #5" in out
    second = audit_checkpoint()
    assert second.prev_checkpoint_hash == row.checkpoint_hash
    assert verify_trail().ok


@pytest.mark.django_db
def test_key_is_made_with_mode_0600_and_web_process_needs_only_the_public_key(
    settings: Any, tmp_path: Path
) -> None:
    settings.AUDIT_CHECKPOINT_KEY_FILE = str(tmp_path / "k" / "new.key")
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE = str(tmp_path / "k" / "new.pub")
    call_command("audit_checkpoint", "--make-key")
    mode = stat.S_IMODE(Path(settings.AUDIT_CHECKPOINT_KEY_FILE).stat().st_mode)
    assert mode == 0o600
    with pytest.raises(CommandError, match="refusing to replace"):
        call_command("audit_checkpoint", "--make-key")
    _entries(2)
    call_command("audit_checkpoint")
    settings.AUDIT_CHECKPOINT_KEY_FILE = ""  # the web process: public key only
    assert verify_trail().ok
    with pytest.raises(CheckpointKeyMissing):
        audit_checkpoint()


@pytest.mark.django_db
def test_checkpoint_rows_are_append_only() -> None:
    row = audit_checkpoint()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.all().delete()


@pytest.mark.django_db
def test_deleting_the_newest_entries_is_reported_as_truncation(sequencing: str) -> None:
    _entries(10)
    audit_checkpoint()
    support.raw_sql("DELETE FROM core_auditentry WHERE seq >= %s", [8])
    report = verify_trail()
    assert report.chain.ok  # what is left still chains: only the checkpoint can tell
    assert _kinds(report)["truncated"] == 8
    _verify_fails(r"truncated: .*head #10 is gone.*first bad entry #8")


@pytest.mark.django_db
def test_deleting_an_entry_in_the_middle_names_the_gap(sequencing: str) -> None:
    _entries(10)
    audit_checkpoint()
    support.raw_sql("DELETE FROM core_auditentry WHERE seq = %s", [4])
    assert _kinds(verify_trail())["broken"] == 5
    _verify_fails(r"entry #5: sequence gap: expected #4, found #5")


@pytest.mark.django_db
def test_deleting_a_middle_entry_and_renumbering_is_caught_by_the_checkpoint(
    sequencing: str,
) -> None:
    _entries(10)
    audit_checkpoint()
    support.raw_sql("DELETE FROM core_auditentry WHERE seq = %s", [4])
    for seq in range(5, 12):
        support.raw_sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [seq - 1, seq])
    support.rewrite_and_rehash(4)
    report = verify_trail()
    assert report.chain.ok
    kinds = _kinds(report)  # "rewritten" where #10 now holds what was #11, else "truncated"
    assert kinds.get("rewritten", kinds.get("truncated")) == 4


@pytest.mark.django_db
def test_rewriting_an_entry_and_rehashing_the_rest_names_the_entry(sequencing: str) -> None:
    _entries(10)
    audit_checkpoint()
    _entries(3)
    support.rewrite_and_rehash(4, target="forged")
    report = verify_trail()
    assert report.chain.ok  # internally consistent: only the signed head shows the forgery
    assert _kinds(report)["rewritten"] == 4
    _verify_fails(r"rewritten: entry #10 no longer has the hash .*first bad entry #4")


@pytest.mark.django_db
def test_rewriting_before_an_older_checkpoint_is_located_through_its_witnesses(
    sequencing: str,
) -> None:
    _entries(6)
    audit_checkpoint()
    _entries(6)
    audit_checkpoint()
    support.rewrite_and_rehash(2, target="forged")
    assert _kinds(verify_trail())["rewritten"] == 2


@pytest.mark.django_db
def test_an_older_checkpoint_file_in_place_of_the_newest_is_reported(
    sequencing: str, checkpoint_dir: Path
) -> None:
    _entries(4)
    audit_checkpoint()
    older = checkpoint_files()[0]
    _entries(4)
    audit_checkpoint()
    newest = checkpoint_files()[-1]
    assert newest != older
    newest.chmod(0o644)
    shutil.copyfile(older, newest)  # the newest file's name, the older checkpoint's content
    kinds = _kinds(verify_trail())
    assert "replaced" in kinds
    _verify_fails(r"newest checkpoint file \(at #4\) is older than the database's newest")


@pytest.mark.django_db
def test_an_older_file_and_a_deleted_row_are_caught_by_the_trails_own_note(
    sequencing: str,
) -> None:
    _entries(4)
    audit_checkpoint()
    _entries(4)
    newest_row = audit_checkpoint()
    audit_sequence()
    checkpoint_files()[-1].unlink()
    support.raw_sql("DELETE FROM core_auditcheckpoint WHERE id = %s", [newest_row.pk])
    _verify_fails(r"the trail records a checkpoint at #9 that no checkpoint file holds")


@pytest.mark.django_db
def test_an_altered_checkpoint_row_or_file_fails_its_signature(checkpoint_dir: Path) -> None:
    _entries(3)
    row = audit_checkpoint()
    forged = json.loads(row.payload) | {"seq": 2}
    support.raw_sql(
        "UPDATE core_auditcheckpoint SET payload = %s WHERE id = %s",
        [json.dumps(forged), row.pk],
    )
    _verify_fails(r"forged: checkpoint database row .* was altered")
    [path] = checkpoint_files()
    body = json.loads(path.read_text())
    body["payload"] = body["payload"].replace('"seq":3', '"seq":2')
    path.chmod(0o644)
    path.write_text(json.dumps(body))
    _verify_fails(r"forged: checkpoint file .*signature does not verify")


@pytest.mark.django_db
def test_missing_and_stale_checkpoints_are_reported(settings: Any) -> None:
    _entries(3)
    later = timezone.now() + timedelta(seconds=3 * settings.AUDIT_CHECKPOINT_INTERVAL_SECONDS)
    assert verify_trail().ok  # young entries: no checkpoint due yet
    assert "missing" in _kinds(verify_trail(now=later))
    audit_checkpoint()
    assert verify_trail().ok
    assert "stale" in _kinds(verify_trail(now=later))


@pytest.mark.django_db
def test_deleting_every_checkpoint_file_is_reported(checkpoint_dir: Path) -> None:
    _entries(3)
    audit_checkpoint()
    for path in checkpoint_files():
        path.unlink()
    _verify_fails(r"missing: checkpoint rows exist but no checkpoint file does")


@pytest.mark.django_db
def test_beat_runs_the_sequencer_and_the_checkpoint_task(settings: Any) -> None:
    from core import tasks
    from workers.schedule import BEAT_SCHEDULE

    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"core.tasks.audit_sequence", "core.tasks.audit_checkpoint"} <= scheduled
    settings.AUDIT_SEQUENCE_INLINE = False
    audit_record(action="test.entry")
    assert tasks.audit_sequence.apply().get() == 1
    result = tasks.audit_checkpoint.apply().get()
    assert (
        result["seq"] == 1
        and AuditCheckpoint.objects.get().checkpoint_hash == (result["checkpoint_hash"])
    )
