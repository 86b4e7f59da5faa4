from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Care pathway"

    def ready(self) -> None:
        from planning import intake_rules  # noqa: F401  (registers the intake guards)
        from planning import consent_bridge

        consent_bridge.register()  # consent -> pathway hooks and the record_consent guard
