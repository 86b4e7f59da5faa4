from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import schema  # registers the token scheme with drf-spectacular

        del schema
        from core.timeline import register_many

        register_many(
            "security",
            {
                "api.token.issue": "{who} issued an API token",
                "api.token.revoke": "{who} revoked an API token",
            },
        )
