"""The data migrations that moved links and reminder e-mails into core keep existing rows'
data: run them forward on rows written with the old schema, then back again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("core", "0005_patient_sex_at_birth"),
    ("consent", "0001_initial"),
    ("planning", "0008_followups"),
]
AFTER = [
    ("core", "0200_links_patient_links_outbox"),
    ("consent", "0202_links_request_link_drop"),
    ("planning", "0202_links_followup_link_drop"),
]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _old_rows(apps: Any) -> dict[str, int]:
    now = timezone.now()
    patient = apps.get_model("core", "Patient").objects.create(
        given_name="Old", family_name="Row", date_of_birth="1980-01-01", mrn="MIG-1"
    )
    case = apps.get_model("planning", "Case").objects.create(patient=patient)
    document = apps.get_model("consent", "ConsentDocument").objects.create(kind="treatment")
    request = apps.get_model("consent", "ConsentRequest").objects.create(
        patient=patient,
        case_id=case.pk,
        document=document,
        token_sha256="a" * 64,
        expires_at=now + timedelta(days=7),
        dob_failures=2,
    )
    FollowUp = apps.get_model("planning", "FollowUp")
    Message = apps.get_model("planning", "OutboundMessage")
    ids = {"request": request.pk}
    for name, token, attempts, sent in [("sent", "b", 5, True), ("pending", "c", 0, False)]:
        followup = FollowUp.objects.create(
            case=case,
            kind="phq9",
            key=f"mig:{name}",
            due_at=now,
            window_ends_at=now + timedelta(days=1),
            status="reminded",
            token_sha256=token * 64,
            dob_attempts=attempts,
        )
        Message.objects.create(
            followup=followup,
            to="old@example.invalid",
            subject="Reminder",
            body_text="",
            message_id=f"<followup-{followup.pk}@pathway.invalid>",
            sent_at=now if sent else None,
            attempts=1 if sent else 0,
        )
        ids[name] = followup.pk
    return ids


def test_links_and_sent_reminders_move_into_core_and_back() -> None:
    ids = _old_rows(_migrate(BEFORE))
    apps = _migrate(AFTER)
    request = apps.get_model("consent", "ConsentRequest").objects.get(pk=ids["request"])
    link = apps.get_model("core", "PatientLink").objects.get(pk=request.link_id)
    assert (link.purpose, link.token_sha256, link.dob_failures) == ("consent", "a" * 64, 2)
    FollowUp = apps.get_model("planning", "FollowUp")
    sent = FollowUp.objects.get(pk=ids["sent"])
    sent_link = apps.get_model("core", "PatientLink").objects.get(pk=sent.link_id)
    assert sent_link.token_sha256 == "b" * 64 and sent_link.locked_at is not None  # 5 of 5
    assert sent_link.expires_at == sent.window_ends_at
    message = apps.get_model("core", "OutboundMessage").objects.get()
    assert message.dedupe_key == f"followup-{ids['sent']}" and message.status == "sent"
    assert message.message_id == f"<followup-{ids['sent']}@pathway.invalid>"
    assert message.attempts == 0  # the old count included the successful send
    pending = FollowUp.objects.get(pk=ids["pending"])
    assert pending.status == "scheduled" and pending.reminded_at is None  # decided again

    apps = _migrate(BEFORE)
    old = apps.get_model("consent", "ConsentRequest").objects.get(pk=ids["request"])
    assert (old.token_sha256, old.dob_failures) == ("a" * 64, 2)
    back = apps.get_model("planning", "FollowUp").objects.get(pk=ids["sent"])
    assert (back.token_sha256, back.dob_attempts) == ("b" * 64, 5)
    assert apps.get_model("planning", "OutboundMessage").objects.get().followup_id == ids["sent"]
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
