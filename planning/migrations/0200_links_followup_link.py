"""Follow-up links move to core.PatientLink, follow-up e-mails to core's outbox.

- A follow-up with a live token gets a link row holding its hash, the window's end as expiry
  and its wrong-date-of-birth count (locked if it had reached the clinic's limit).
- Sent reminder e-mails are copied to core.OutboundMessage as sent (same Message-ID; their
  text was rendered at delivery and never stored, so none is copied).
- A reminder decided but not yet delivered is not copied: its follow-up goes back to
  `scheduled`, and the next sweep decides it again through the outbox (with a new link).
- Staff-task rows are not messages: the follow-up's own `due` status is the staff task, so
  they are dropped.
Going back copies links and sent e-mails back; outbox-only messages stay in core.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0200_links_patient_links_outbox"),
        ("planning", "0008_followups"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="link",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="followup",
                to="core.patientlink",
            ),
        ),
    ]
