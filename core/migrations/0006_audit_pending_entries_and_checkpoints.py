"""Audit entries are written pending and chained later by the sequencer; signed checkpoints.

Entries written before this migration keep their hashes (`hash_version` 1, one hash over all
fields). On PostgreSQL the append-only trigger now lets exactly one UPDATE through: the
sequencer's, which fills `seq`, `prev_hash` and `entry_hash` from NULL and changes nothing
else. Checkpoints get the same refuse-everything trigger the entries had.
"""

from django.db import migrations, models

ENTRY_TRIGGER = """
CREATE OR REPLACE FUNCTION pathway_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.entry_hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.entry_hash IS NOT NULL
       AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'entry_hash')
           = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'entry_hash')
    THEN
        RETURN NEW;  -- the sequencer integrating a pending entry into the chain
    END IF;
    RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

ENTRY_TRIGGER_BACKWARD = """
CREATE OR REPLACE FUNCTION pathway_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

CHECKPOINT_TRIGGER = """
CREATE OR REPLACE FUNCTION pathway_audit_checkpoint_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditcheckpoint is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION pathway_audit_checkpoint_refuse_change();
"""

CHECKPOINT_TRIGGER_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
DROP FUNCTION IF EXISTS pathway_audit_checkpoint_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ENTRY_TRIGGER, params=None)
        schema_editor.execute(CHECKPOINT_TRIGGER, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECKPOINT_TRIGGER_BACKWARD, params=None)
        schema_editor.execute(ENTRY_TRIGGER_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_patient_sex_at_birth")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField()),
                ("head_hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField()),
                ("prev_checkpoint_hash", models.CharField(max_length=64)),
                ("checkpoint_hash", models.CharField(max_length=64, unique=True)),
                (
                    "payload",
                    models.TextField(help_text="The exact canonical JSON that was signed."),
                ),
                (
                    "signature",
                    models.CharField(help_text="Ed25519 signature, hex.", max_length=128),
                ),
                (
                    "key_id",
                    models.CharField(
                        help_text="SHA-256 of the raw public key, hex.", max_length=64
                    ),
                ),
                (
                    "tsa_token",
                    models.TextField(blank=True, help_text="RFC 3161 time-stamp token, base64."),
                ),
            ],
            options={"ordering": ("created_at", "id")},
        ),
        migrations.AddField(
            model_name="auditentry",
            name="content_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        # Existing rows are version 1 (hashed the old way); new rows default to 2.
        migrations.AddField(
            model_name="auditentry",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="core_audit_pending"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
