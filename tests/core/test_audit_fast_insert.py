"""The lean audit append: the precompiled single-entry INSERT writes exactly the row Model.save
writes, the faster hashing produces exactly the old hash text, and the cheaper append-only
trigger still refuses every change but the sequencer's."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import signals

from core import bulk, request_context
from core.audit import audit_entry, audit_record, audit_sequence, content_hash, verify_chain
from core.audit.hashing import canonical_content
from core.models import AuditEntry, User

_COLUMNS = [f.attname for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _old_canonical(entry: AuditEntry) -> str:
    """The hashing as it was written before it was made faster (the reference)."""
    content = {
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "case_id": entry.case_id,
        "patient_id": entry.patient_id,
        "target": entry.target,
        "data": entry.data,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "v": 2,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fields(user: User | None) -> dict[str, Any]:
    return {
        "action": "test.fast",
        "actor": user,
        "case_id": 12,
        "patient_id": 34,
        "target": "planning.case:12",
        "data": {
            "from": "consultation",
            "to": "évaluation ✓",
            "n": 3,
            "when": datetime(2026, 5, 1, 9, 30, tzinfo=UTC),  # stored as its str()
            "nested": {"list": [1, 2.5, None, True], "api_key": "s3cret"},
        },
    }


@pytest.fixture
def pending(settings: Any) -> None:
    settings.AUDIT_SEQUENCE_INLINE = False


@pytest.mark.django_db
def test_the_precompiled_insert_writes_the_row_model_save_writes(pending: None) -> None:
    user = User.objects.create_user(username="fast", first_name="Ana", last_name="Ruiz")
    token = request_context.bind(request_context.RequestContext("203.0.113.9", "Firefox/1"))
    try:
        fast = audit_entry(**_fields(user))
        orm = audit_entry(**_fields(user))
    finally:
        request_context.unbind(token)
    orm.created_at = fast.created_at
    orm.content_hash = content_hash(orm)
    assert bulk.insert_one(fast) is True
    orm.save(force_insert=True)
    assert fast.pk and orm.pk and fast.pk != orm.pk
    assert not fast._state.adding and fast._state.db == "default"
    rows = {
        row["id"]: {k: v for k, v in row.items() if k != "id"}
        for row in AuditEntry.objects.filter(pk__in=[fast.pk, orm.pk]).values("id", *_COLUMNS)
    }
    assert rows[fast.pk] == rows[orm.pk]
    stored = AuditEntry.objects.get(pk=fast.pk)
    assert stored.data["nested"]["api_key"] == "[redacted]"
    assert stored.ip == "203.0.113.9" and stored.actor_id == user.pk
    assert stored.actor_label == "Ana Ruiz (fast)"
    assert stored.data["when"] == "2026-05-01 09:30:00+00:00"
    # What the database gives back hashes to what the writer hashed.
    assert content_hash(stored) == fast.content_hash == stored.content_hash
    assert fast.actor == user  # the actor object is kept on the returned entry
    assert audit_sequence() == 2 and verify_chain().ok


@pytest.mark.django_db
def test_audit_record_uses_the_precompiled_insert_and_the_orm_when_someone_listens(
    pending: None,
) -> None:
    called: list[AuditEntry] = []

    def listener(sender: Any, instance: AuditEntry, **kwargs: Any) -> None:
        called.append(instance)

    quiet = audit_record(action="test.fast", data={"n": 1})
    assert quiet.pk and not called
    signals.post_save.connect(listener, sender=AuditEntry, weak=False)
    try:
        heard = audit_record(action="test.fast", data={"n": 2})
    finally:
        signals.post_save.disconnect(listener, sender=AuditEntry)
    assert called == [heard]  # Model.save ran: the signal was sent
    assert audit_sequence() == 2 and verify_chain().ok


@pytest.mark.django_db
def test_hash_text_is_unchanged_by_the_faster_encoding(pending: None) -> None:
    entries = [audit_entry(**_fields(None)) for _ in range(3)]
    entries[1].created_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # microsecond 0
    entries[2].created_at = datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=UTC)  # year < 1000
    for entry in entries:
        assert canonical_content(entry) == _old_canonical(entry)
        expected = hashlib.sha256(_old_canonical(entry).encode()).hexdigest()
        assert content_hash(entry) == expected
    # And one pinned value, so that the reference above cannot drift with the code.
    pinned = AuditEntry(
        created_at=datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC),
        actor_label="system",
        action="test.pinned",
        case_id=1,
        target="planning.case:1",
        data={"é": "ü", "b": [1, 2]},
        user_agent="",
    )
    assert canonical_content(pinned) == (
        '{"action":"test.pinned","actor_id":null,"actor_label":"system","case_id":1,'
        '"created_at":"2026-11-28T12:00:00.123456Z","data":{"b":[1,2],"é":"ü"},"ip":null,'
        '"patient_id":null,"target":"planning.case:1","user_agent":"","v":2}'
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_trigger_refuses_a_chaining_update_that_also_changes_any_other_column(
    pending: None,
) -> None:
    user = User.objects.create_user(username="other")
    entry = audit_record(action="test.fast", data={"n": 1}, case_id=1)
    changes = {
        "created_at": "now() - interval '1 day'",
        "actor_id": str(user.pk),
        "actor_label": "'forged'",
        "action": "'forged'",
        "case_id": "2",
        "patient_id": "3",
        "target": "'forged'",
        "data": """'{"n": 2}'::jsonb""",
        "ip": "'192.0.2.1'",
        "user_agent": "'forged'",
        "content_hash": "'forged'",
        "hash_version": "1",
    }
    assert set(changes) == set(_COLUMNS) - {"seq", "prev_hash", "entry_hash"}
    for column, value in changes.items():
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE core_auditentry SET seq = 1, prev_hash = 'p', entry_hash = 'h', "  # noqa: S608
                f"{column} = {value} WHERE id = %s",
                [entry.pk],
            )
    assert audit_sequence() == 1 and verify_chain().ok
