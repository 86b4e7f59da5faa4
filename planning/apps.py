from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """One Django app (label `planning`, so no table moved) holding four sub-domain packages:
    pathway below intake, treatment and followups. Each sub-domain wires itself into the pathway
    here, at start-up, through the pathway's hooks; the pathway never imports them."""

    name = "planning"
    verbose_name = "Care pathway"

    def ready(self) -> None:
        from core.roles import register_role_permissions
        from planning.permissions import ROLE_PERMISSIONS

        register_role_permissions("planning", ROLE_PERMISSIONS)
        from core.access import register_actions
        from planning.followups.actions import ACTIONS as FOLLOWUP_ACTIONS
        from planning.intake.actions import ACTIONS as INTAKE_ACTIONS
        from planning.pathway.actions import ACTIONS as PATHWAY_ACTIONS
        from planning.treatment.actions import ACTIONS as TREATMENT_ACTIONS

        register_actions(
            "planning", PATHWAY_ACTIONS + INTAKE_ACTIONS + TREATMENT_ACTIONS + FOLLOWUP_ACTIONS
        )
        from core.navigation import register_start_page
        from planning.pathway.views import start_page

        register_start_page("planning", start_page)
        from core.navigation import register_nav_link
        from planning.pathway.views import work_queue_link

        register_nav_link("planning.work_queue", 10, work_queue_link)

        from planning.followups.wiring import wire as wire_followups
        from planning.intake.wiring import wire as wire_intake
        from planning.pathway import wording
        from planning.pathway.consent_bridge import register as wire_consent
        from planning.treatment.wiring import wire as wire_treatment

        wording.register()
        wire_consent()  # consent -> pathway hooks and the record_consent guard
        wire_intake()
        wire_treatment()
        wire_followups()

        from planning.followups import workspace as followups_workspace
        from planning.intake import workspace as intake_workspace
        from planning.pathway import workspace as pathway_workspace
        from planning.treatment import workspace as treatment_workspace

        for workspace in (
            pathway_workspace,
            intake_workspace,
            treatment_workspace,
            followups_workspace,
        ):
            workspace.wire()  # the board's facts and the work queues' sections
