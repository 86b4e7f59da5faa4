from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional demo data and the end-to-end demo journey. Sits on top of every domain app and
    is imported by none of them."""

    name = "demo"
    verbose_name = "Demo data"
