"""Code systems and codes the FHIR resources use (HL7, LOINC, SNOMED CT, UCUM, ASTM E1762)."""

from __future__ import annotations

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
DOSE_RATE_TYPE = "http://terminology.hl7.org/CodeSystem/dose-rate-type"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
ASTM_SIGNATURE = "urn:iso-astm:E1762-95:2013"

# Pathway's own identifiers and extensions.
MRN_SYSTEM = "urn:pathway:mrn"
QUESTIONNAIRE_BASE = "urn:pathway:questionnaire:"
CONSENT_VERSION_SYSTEM = "urn:pathway:consent-version"
SHA256_EXTENSION = "urn:pathway:fhir:attachment-sha256"

CASE_SUMMARY_DOCUMENT = ("34133-9", "Summary of episode note")
SIGNATURE_AUTHOR = ("1.2.840.10065.1.12.1.1", "Author's Signature")
SIGNATURE_CONSENT = ("1.2.840.10065.1.12.1.7", "Consent Signature")
SIGNATURE_VERIFICATION = ("1.2.840.10065.1.12.1.5", "Verification Signature")
SIGNATURE_CONSENT_WITNESS = ("1.2.840.10065.1.12.1.11", "Consent Witness Signature")

BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
HEART_RATE = ("8867-4", "Heart rate")
SPO2 = ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
BODY_WEIGHT = ("29463-7", "Body weight")
BODY_HEIGHT = ("8302-2", "Body height")
# Questionnaire code -> the LOINC code of its total score.
SCORE_CODES = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("69737-5", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}

ROUTES = {  # SNOMED CT route of administration
    "iv": ("47625008", "Intravenous route"),
    "im": ("78421000", "Intramuscular route"),
    "intranasal_esketamine": ("46713006", "Nasal route"),
    "oral_sublingual": ("37839007", "Sublingual route"),
}

GENDERS = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}
SEX_AT_BIRTH = {"female": "female", "male": "male", "other": "intersex", "unknown": "unknown"}


def coding(system: str, code_display: tuple[str, str]) -> dict[str, str]:
    code, display = code_display
    return {"system": system, "code": code, "display": display}


def concept(system: str, code_display: tuple[str, str]) -> dict[str, object]:
    return {"coding": [coding(system, code_display)], "text": code_display[1]}
