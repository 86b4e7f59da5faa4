"""What each role may do in the care pathway (the `planning` app's permissions, declared on
`planning.Case.Meta.permissions` and the models' defaults). Registered by `PlanningConfig.ready`."""

from __future__ import annotations

from core.roles import Role

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PATIENT: (
        "planning.withdraw_own_case",
        "planning.record_own_consent",
    ),
    Role.CLINICIAN: (
        "planning.view_clinical",
        "planning.record_intake",
        "planning.view_case_board",
        "planning.open_case",
        "planning.advance_intake",
        "planning.record_consent",
        "planning.withdraw_case",
        "planning.hold_case",
        "planning.complete_treatment",
    ),
    Role.PHYSICIAN: (
        "planning.view_clinical",
        "planning.record_intake",
        "planning.override_contraindication",
        "planning.view_case_board",
        "planning.open_case",
        "planning.advance_intake",
        "planning.record_consent",
        "planning.withdraw_case",
        "planning.hold_case",
        "planning.complete_treatment",
        "planning.approve_plan",
        "planning.amend_plan",
        "planning.mark_ineligible",
        "planning.require_reconsent",
    ),
    Role.ADMIN_STAFF: (
        "planning.view_case_board",
        "planning.open_case",
        "planning.withdraw_case",
        "planning.hold_case",
    ),
    Role.CLINIC_ADMIN: (
        "planning.view_case_board",
        "planning.open_case",
        "planning.withdraw_case",
        "planning.hold_case",
        "planning.require_reconsent",
        "planning.view_case",
        "planning.view_questionnairedefinition",
        "planning.add_questionnairedefinition",
        "planning.change_questionnairedefinition",
        "planning.view_contraindicationtype",
        "planning.add_contraindicationtype",
        "planning.change_contraindicationtype",
        "planning.view_interactionclass",
        "planning.add_interactionclass",
        "planning.change_interactionclass",
        "planning.view_interactionrule",
        "planning.add_interactionrule",
        "planning.change_interactionrule",
        "planning.view_clinicprotocol",
        "planning.change_clinicprotocol",
    ),
}
