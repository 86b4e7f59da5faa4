from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "FHIR interoperability and records export"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.timeline import register_wording
        from interop import wiring

        register_wording("case.export", "{who} exported the case's records", kind="case")
        register_wording("case.imported", "{who} imported the case from a FHIR bundle", kind="case")
        wiring.wire()
