"""Copy follow-up links and sent reminder e-mails into core (and back). Data only: on
PostgreSQL a migration may not change rows and then the same tables' schema."""

from django.db import migrations
from django.utils import timezone

NOT_STORED = "(rendered at delivery before the outbox existed; not stored)"


def _limit(apps):
    row = apps.get_model("core", "ClinicSettings").objects.filter(pk=1).first()
    return row.link_max_dob_attempts if row else 5


def forward(apps, schema_editor):
    FollowUp = apps.get_model("planning", "FollowUp")
    OldMessage = apps.get_model("planning", "OutboundMessage")
    PatientLink = apps.get_model("core", "PatientLink")
    Outbox = apps.get_model("core", "OutboundMessage")
    limit, now = _limit(apps), timezone.now()
    for followup in FollowUp.objects.exclude(token_sha256="").select_related("case").iterator():
        followup.link = PatientLink.objects.create(
            purpose="followup",
            patient_id=followup.case.patient_id,
            case_id=followup.case_id,
            token_sha256=followup.token_sha256,
            created_at=followup.reminded_at or followup.created_at,
            expires_at=followup.window_ends_at,
            dob_failures=followup.dob_attempts,
            locked_at=now if followup.dob_attempts >= limit else None,
        )
        followup.save(update_fields=["link"])
    messages = OldMessage.objects.filter(staff_task=False).select_related("followup__case")
    for old in messages.iterator():
        followup = old.followup
        if old.sent_at is None:
            if followup.status == "reminded":
                followup.status, followup.reminded_at, followup.claimed_until = (
                    "scheduled",
                    None,
                    None,
                )
                followup.save(update_fields=["status", "reminded_at", "claimed_until"])
            continue
        Outbox.objects.create(
            channel="email",
            dedupe_key=f"followup-{followup.pk}",
            template="followup-reminder",
            to=old.to,
            subject=old.subject,
            body_text=old.body_text or NOT_STORED,
            body_html=old.body_html,
            message_id=old.message_id,
            case_id=followup.case_id,
            patient_id=followup.case.patient_id,
            status="sent",
            attempts=max(0, old.attempts - 1),  # the old count included the successful send
            created_at=old.created_at,
            next_attempt_at=old.created_at,
            sent_at=old.sent_at,
        )


def backward(apps, schema_editor):
    FollowUp = apps.get_model("planning", "FollowUp")
    OldMessage = apps.get_model("planning", "OutboundMessage")
    Outbox = apps.get_model("core", "OutboundMessage")
    for followup in FollowUp.objects.filter(link__isnull=False).select_related("link").iterator():
        followup.token_sha256 = followup.link.token_sha256
        followup.dob_attempts = followup.link.dob_failures
        followup.save(update_fields=["token_sha256", "dob_attempts"])
    for message in Outbox.objects.filter(dedupe_key__startswith="followup-", status="sent"):
        OldMessage.objects.get_or_create(
            followup_id=int(message.dedupe_key.removeprefix("followup-")),
            defaults={
                "to": message.to,
                "subject": message.subject[:200],
                "body_text": "",
                "message_id": message.message_id,
                "created_at": message.created_at,
                "sent_at": message.sent_at,
                "attempts": message.attempts + 1,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("planning", "0200_links_followup_link")]

    operations = [migrations.RunPython(forward, backward)]
