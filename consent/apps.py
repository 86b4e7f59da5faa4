from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from consent.permissions import ROLE_PERMISSIONS
        from core.roles import register_role_permissions

        register_role_permissions("consent", ROLE_PERMISSIONS)
        from consent.actions import ACTIONS
        from core.access import register_actions

        register_actions("consent", ACTIONS)
        from consent import wording

        wording.register()
