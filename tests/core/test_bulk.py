"""core.bulk.bulk_insert: ids in the order given, every kind of column round-trips (the
PostgreSQL path sends one array per column); elsewhere it is bulk_create."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.audit import audit_entry, audit_record_many, verify_chain
from core.bulk import bulk_insert
from core.models import AuditEntry, MessageChannel, OutboundMessage


def _messages(n: int) -> list[OutboundMessage]:
    return [
        OutboundMessage(
            channel=MessageChannel.SMS if i % 2 else "email",  # an enum is sent by value
            dedupe_key=f"bulk-{i}",
            template="t",
            to=f"p{i}@example.invalid",
            subject=f"Subject {i}",
            body_text="Ä text",
            attachment=b"\x00\x01" if i == 1 else None,
            message_id=f"<bulk-{i}@pathway.invalid>",
            case_id=None,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_ids_come_back_in_order_and_values_round_trip() -> None:
    made = bulk_insert(_messages(30))
    assert [m.pk for m in made] == sorted(m.pk for m in made)
    for message in made:
        stored = OutboundMessage.objects.get(pk=message.pk)
        assert (stored.dedupe_key, stored.to, stored.channel) == (
            message.dedupe_key,
            message.to,
            message.channel,
        )
    assert bytes(OutboundMessage.objects.get(dedupe_key="bulk-1").attachment) == b"\x00\x01"
    assert OutboundMessage.objects.get(dedupe_key="bulk-2").attachment is None
    assert OutboundMessage.objects.get(dedupe_key="bulk-0").body_text == "Ä text"
    assert OutboundMessage.objects.filter(channel="sms").count() == 15


@pytest.mark.django_db
def test_audit_entries_appended_in_one_go_chain_in_order() -> None:
    entries = [
        audit_entry(action="bulk.test", target=f"t:{i}", data={"i": i, "token": "secret"})
        for i in range(25)
    ]
    audit_record_many(entries)
    stored = list(AuditEntry.objects.filter(action="bulk.test").order_by("seq"))
    assert [e.target for e in stored] == [f"t:{i}" for i in range(25)]
    assert all(e.data["token"] == "[redacted]" for e in stored)
    assert stored[0].created_at <= timezone.now()
    assert verify_chain().ok
