"""Copy each request's link data into its core.PatientLink (and back). Data only: on
PostgreSQL a migration may not change rows and then the same tables' schema."""

from django.db import migrations

MOVED = ("token_sha256", "expires_at", "revoked_at", "revoked_by_id", "dob_failures", "locked_at")


def to_links(apps, schema_editor):
    ConsentRequest = apps.get_model("consent", "ConsentRequest")
    PatientLink = apps.get_model("core", "PatientLink")
    for req in ConsentRequest.objects.order_by("pk").iterator():
        req.link = PatientLink.objects.create(
            purpose="consent",
            patient_id=req.patient_id,
            case_id=req.case_id,
            created_at=req.created_at,
            **{name: getattr(req, name) for name in MOVED},
        )
        req.save(update_fields=["link"])


def from_links(apps, schema_editor):
    ConsentRequest = apps.get_model("consent", "ConsentRequest")
    for req in ConsentRequest.objects.select_related("link").order_by("pk").iterator():
        for name in MOVED:
            setattr(req, name, getattr(req.link, name))
        req.save(update_fields=[name.removesuffix("_id") for name in MOVED])


class Migration(migrations.Migration):
    dependencies = [("consent", "0200_links_request_link")]

    operations = [migrations.RunPython(to_links, from_links)]
