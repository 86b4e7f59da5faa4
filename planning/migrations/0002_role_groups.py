"""Create the role groups (patient, clinician, physician, admin staff, clinic admin) with their
permissions. The same function re-runs after every migrate so later permissions are added."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from core.roles import sync_role_groups


def forward(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps)


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["patient", "clinician", "physician", "admin_staff", "clinic_admin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
        ("core", "0002_audit_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forward, backward)]
