from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Care pathway"

    def ready(self) -> None:
        from django.apps import apps as global_apps
        from django.db.models.signals import post_migrate

        from planning.reference_data import seed_all

        # Reference data survives a test flush (which re-emits post_migrate), like the roles.
        post_migrate.connect(
            lambda **_: seed_all(global_apps),
            sender=self,
            weak=False,
            dispatch_uid="planning-reference-data",
        )
        # Importing these registers their guards on the pathway's transitions.
        from planning import (  # noqa: F401
            consent_bridge,
            intake_rules,
            plan_services,
            session_services,
        )

        consent_bridge.register()  # consent -> pathway hooks and the record_consent guard
