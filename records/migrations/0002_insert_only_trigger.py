"""On PostgreSQL the database itself refuses UPDATE and DELETE on sealed records."""

from django.db import migrations

TABLES = ("records_sealedrecord", "records_sealedrecordcontent")

FUNCTION = """
CREATE OR REPLACE FUNCTION pathway_records_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is insert-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION pathway_records_refuse_change();",
            params=None,
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table};", None)
    schema_editor.execute("DROP FUNCTION IF EXISTS pathway_records_refuse_change();", None)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
