from django.db import migrations


def forward(apps, schema_editor):
    apps.get_model("core", "ClinicSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_clinic_settings")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
