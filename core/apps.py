from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Clinic core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from core import logs, signals  # noqa: F401  (connects the sign-in audit receivers)

        request_finished.connect(logs.clear, dispatch_uid="core.logs.clear")
        from core.access import register_actions
        from core.actions import ACTIONS

        register_actions("core", ACTIONS)
        from core import wording

        wording.register()
