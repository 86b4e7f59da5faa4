"""Once created the role groups. Groups and their permissions are now created, and re-synced,
by core's post_migrate handler only (`core.signals`), after every app's permissions exist; this
migration is kept, empty, so that the migration graph of existing databases is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
        ("core", "0002_audit_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations: list[migrations.operations.base.Operation] = []
