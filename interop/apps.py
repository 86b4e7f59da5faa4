from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "FHIR interoperability and records export"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interop import wiring

        wiring.wire()
