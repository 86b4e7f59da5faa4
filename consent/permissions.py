"""What each role may do with consent documents and signatures. Registered by
`ConsentConfig.ready`."""

from __future__ import annotations

from core.roles import CLINICAL_ROLES, STAFF_ROLES, Role

# Every staff role sends invitations, downloads signed copies and checks a sealed PDF; a patient
# downloads and checks their own and withdraws their own consent.
STAFF_CONSENT = (
    "consent.manage_requests",
    "consent.view_signature_pdf",
    "consent.verify_pdf",
)

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    **dict.fromkeys(STAFF_ROLES, STAFF_CONSENT),
    Role.PATIENT: (
        "consent.view_own_signature_pdf",
        "consent.verify_own_pdf",
        "consent.withdraw_own_consent",
    ),
}
# Clinicians (nurses), physicians and admin staff sit with patients in the clinic: they may hand
# a clinic tablet over for signing. A clinic admin (configuration) and a patient may not.
for _role in (Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF):
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], "consent.start_tablet_signing")
# Countersignatures in the clinic: a physician or nurse e-signs as the clinician; any staff
# member may capture a witness's signature (recorded as the one who captured it).
for _role in STAFF_ROLES:
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], "consent.capture_witness")
for _role in CLINICAL_ROLES:
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], "consent.countersign_clinician")
ROLE_PERMISSIONS[Role.CLINIC_ADMIN] = (
    *STAFF_CONSENT,
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
    "consent.capture_witness",
)
