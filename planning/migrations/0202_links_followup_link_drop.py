"""Drop the follow-up columns and the message table that moved to core."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("planning", "0201_links_followup_link_data")]

    operations = [
        migrations.RemoveField(model_name="followup", name="dob_attempts"),
        migrations.RemoveField(model_name="followup", name="token_sha256"),
        migrations.DeleteModel(name="OutboundMessage"),
    ]
