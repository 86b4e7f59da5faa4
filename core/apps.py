from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Clinic core"

    def ready(self) -> None:
        from core import signals  # noqa: F401  (connects the sign-in audit receivers)
        from core.access import register_actions
        from core.actions import ACTIONS

        register_actions("core", ACTIONS)
