"""What each role may do with consent documents and signatures. Registered by
`ConsentConfig.ready`."""

from __future__ import annotations

from core.roles import Role

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.CLINIC_ADMIN: (
        "consent.view_consentdocument",
        "consent.add_consentdocument",
        "consent.change_consentdocument",
        "consent.view_consentversion",
        "consent.add_consentversion",
        "consent.change_consentversion",
        "consent.delete_consentversion",
        "consent.view_comprehensionquestion",
        "consent.add_comprehensionquestion",
        "consent.change_comprehensionquestion",
        "consent.delete_comprehensionquestion",
        "consent.view_consentrequest",
        "consent.view_consentsignature",
    ),
}
