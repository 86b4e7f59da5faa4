from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Sealed records"

    def ready(self) -> None:
        from records import wording

        wording.register()
