"""Intake through the pages: validation, scoring, alerts, contraindications, medications and
the guards that hold a case until everything is resolved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import TransitionRefused
from core.models import AuditEntry, ClinicSettings
from demo.pathway import DEMO_CSSRS, DEMO_PHQ9
from planning.intake.models import (
    Consultation,
    ContraindicationType,
    Evaluation,
    QuestionnaireResponse,
    RecordImmutable,
    SafetyAlert,
)
from planning.intake.rules import interaction_flags, trd_status
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, satisfy_intake

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _evaluation_post(**overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "systolic_bp": 126,
        "diastolic_bp": 80,
        "heart_rate": 70,
        "spo2_percent": 98,
        "weight_kg": "70.0",
        "height_cm": "175.0",
        "pregnancy_status": "not_applicable",
        "psychiatric_history": "",
    }
    data.update({f"phq9__{k}": v for k, v in DEMO_PHQ9.items()})
    data.update({f"cssrs_screener__{k}": v for k, v in DEMO_CSSRS.items()})
    for ci in ContraindicationType.objects.filter(derived_from=""):
        data[f"screen__{ci.code}"] = "no"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _evaluation_case():
    case = CaseFactory(state=CaseState.EVALUATION)
    satisfy_intake(case, "complete_consultation")
    return case


def _post_evaluation(client: Client, case, **overrides):
    return client.post(reverse("intake:evaluation", args=[case.pk]), _evaluation_post(**overrides))


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"systolic_bp": -120}, "greater than or equal to 60"),
        ({"weight_kg": "0"}, "greater than or equal to 25"),
        ({"phq9__phq9_3": 4}, "Select a valid choice"),
        ({"phq9__phq9_9": None}, "phq9_9"),
        ({"diastolic_bp": 130, "systolic_bp": 120}, "Diastolic pressure must be below systolic"),
        ({"screen__psychosis_history": None}, "Please answer yes or no"),
    ],
)
def test_bad_evaluation_input_gets_field_errors_and_writes_nothing(
    clinician, overrides, field_error
) -> None:
    case = _evaluation_case()
    client = _client(clinician)
    audit_before = AuditEntry.objects.count()
    response = _post_evaluation(client, case, **overrides)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert field_error in body or "required" in body.lower()
    assert Evaluation.objects.count() == 0 and QuestionnaireResponse.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_missing_phq9_item_is_named(clinician) -> None:
    case = _evaluation_case()
    response = _post_evaluation(_client(clinician), case, phq9__phq9_9=None)
    form = response.context["form"]
    assert "phq9__phq9_9" in form.errors
    assert Evaluation.objects.count() == 0


def test_every_error_of_the_evaluation_is_shown_in_one_round(clinician) -> None:
    """Bad vitals and unanswered questionnaire items: both at once, not the items after the
    vitals are fixed."""
    case = _evaluation_case()
    response = _post_evaluation(
        _client(clinician), case, systolic_bp=-120, phq9__phq9_3=None, phq9__phq9_9=None
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"systolic_bp", "phq9__phq9_3", "phq9__phq9_9"} <= set(errors)
    assert Evaluation.objects.count() == 0


def test_evaluation_is_scored_and_moves_on(clinician) -> None:
    case = _evaluation_case()
    client = _client(clinician)
    response = _post_evaluation(client, case)
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.bmi == Decimal("22.9")
    phq9 = QuestionnaireResponse.objects.get(case=case, definition__code="phq9")
    assert (phq9.total, phq9.band) == (16, "Moderately severe")
    cssrs = QuestionnaireResponse.objects.get(case=case, definition__code="cssrs_screener")
    assert cssrs.positive is False
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "16 (Moderately severe)" in page and "BMI 22.9" in page
    moved = case_transition(case_id=case.pk, transition="complete_evaluation", actor=clinician)
    assert moved.state == CaseState.MEDICATION_REVIEW


def test_item9_raises_alert_that_blocks_until_acknowledged(clinician, admin_staff) -> None:
    case = _evaluation_case()
    client = _client(clinician)
    _post_evaluation(client, case, phq9__phq9_9=1)
    alert = SafetyAlert.objects.get(case=case)
    assert "item 9" in alert.message.lower()
    board = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    assert 'data-testid="alert-badge"' in board
    with pytest.raises(TransitionRefused, match="open safety alert"):
        case_transition(case_id=case.pk, transition="complete_evaluation", actor=clinician)
    url = reverse("intake:alert_ack", args=[case.pk, alert.pk])
    client.post(url, {"note": "  "})
    assert SafetyAlert.objects.get(pk=alert.pk).acknowledged_at is None
    client.post(url, {"note": "Discussed with patient; safety plan agreed; no intent."})
    acknowledged = SafetyAlert.objects.get(pk=alert.pk)
    assert acknowledged.acknowledged_at is not None
    assert acknowledged.is_open  # until a physician decides (it holds the next dose)
    assert AuditEntry.objects.filter(action="alert.acknowledge", case_id=case.pk).exists()
    case_transition(case_id=case.pk, transition="complete_evaluation", actor=clinician)


def test_positive_cssrs_raises_an_alert(clinician) -> None:
    case = _evaluation_case()
    _post_evaluation(
        _client(clinician),
        case,
        **{
            "cssrs_screener__cssrs_2": 1,
            "cssrs_screener__cssrs_3": 0,
            "cssrs_screener__cssrs_4": 1,
            "cssrs_screener__cssrs_5": 0,
        },
    )
    messages = list(SafetyAlert.objects.filter(case=case).values_list("message", flat=True))
    assert any("C-SSRS" in m for m in messages)


def test_high_blood_pressure_needs_a_physicians_override(clinician, physician) -> None:
    case = _evaluation_case()
    _post_evaluation(_client(clinician), case, systolic_bp=152, diastolic_bp=96)
    with pytest.raises(TransitionRefused, match="override with a reason for “Uncontrolled"):
        case_transition(case_id=case.pk, transition="complete_evaluation", actor=physician)
    url = reverse("intake:override", args=[case.pk, "uncontrolled_hypertension"])
    assert _client(clinician).post(url, {"reason": "Fine"}).status_code == 403
    _client(physician).post(url, {"reason": ""})
    assert not case.overrides.exists()
    _client(physician).post(url, {"reason": "White-coat effect; home readings 130/85."})
    assert case.overrides.get().physician == physician
    case_transition(case_id=case.pk, transition="complete_evaluation", actor=physician)


def test_threshold_comes_from_clinic_settings(clinician, physician) -> None:
    clinic = ClinicSettings.current()
    clinic.bp_systolic_max = 160
    clinic.save()
    case = _evaluation_case()
    _post_evaluation(_client(clinician), case, systolic_bp=152, diastolic_bp=88)
    case_transition(case_id=case.pk, transition="complete_evaluation", actor=physician)


def test_absolute_contraindication_leads_to_ineligible(clinician, physician) -> None:
    case = _evaluation_case()
    _post_evaluation(_client(clinician), case, screen__psychosis_history="yes")
    with pytest.raises(TransitionRefused, match="absolute contraindication"):
        case_transition(case_id=case.pk, transition="complete_evaluation", actor=physician)
    url = reverse("intake:override", args=[case.pk, "psychosis_history"])
    _client(physician).post(url, {"reason": "I disagree"})
    assert not case.overrides.exists()
    done = case_transition(
        case_id=case.pk,
        transition="mark_ineligible",
        actor=physician,
        reason="History of schizophrenia confirmed",
    )
    assert done.state == CaseState.INELIGIBLE


def test_pregnancy_and_age_are_derived_from_data(clinician) -> None:
    case = CaseFactory(state=CaseState.EVALUATION, patient__date_of_birth="2012-01-01")
    satisfy_intake(case, "complete_consultation")
    _post_evaluation(_client(clinician), case, pregnancy_status="pregnant")
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case_id=case.pk, transition="complete_evaluation", actor=clinician)
    assert "Pregnancy or breastfeeding" in refused.value.message
    assert "Under 18" in refused.value.message


def test_corrected_evaluation_is_a_new_version(clinician) -> None:
    case = _evaluation_case()
    client = _client(clinician)
    _post_evaluation(client, case)
    response = _post_evaluation(client, case, weight_kg="80.0")
    assert response.status_code == 400 and "please say what and why" in response.content.decode()
    _post_evaluation(client, case, weight_kg="80.0", correction_reason="Weighed with shoes")
    first, second = Evaluation.objects.filter(case=case).order_by("version")
    assert (first.weight_kg, second.weight_kg) == (Decimal("70.0"), Decimal("80.0"))
    assert second.supersedes == first and second.version == 2
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "80.0 kg" in page and "Earlier versions" in page and "Weighed with shoes" in page
    first.weight_kg = Decimal("1")
    with pytest.raises(RecordImmutable):
        first.save()


def test_guards_list_what_is_missing(clinician) -> None:
    case = CaseFactory()
    with pytest.raises(TransitionRefused, match="a recorded consultation"):
        case_transition(case_id=case.pk, transition="complete_consultation", actor=clinician)
    case = CaseFactory(state=CaseState.EVALUATION)
    with pytest.raises(TransitionRefused, match="a recorded evaluation"):
        case_transition(case_id=case.pk, transition="complete_evaluation", actor=clinician)


def test_consultation_and_treatment_resistance(clinician) -> None:
    case = CaseFactory()
    client = _client(clinician)
    data = {
        "presenting_symptoms": "Low mood",
        "symptom_duration_months": 18,
        "trials-TOTAL_FORMS": 3,
        "trials-INITIAL_FORMS": 0,
        "trials-0-drug": "Citalopram",
        "trials-0-dose_mg": "20",
        "trials-0-weeks": 8,
        "trials-0-response": "none",
        "trials-1-drug": "Mirtazapine",
        "trials-1-dose_mg": "30",
        "trials-1-weeks": 3,
        "trials-1-response": "none",
    }
    assert client.post(reverse("intake:consultation", args=[case.pk]), data).status_code == 302
    status = trd_status(Consultation.objects.get(case=case), ClinicSettings.current())
    assert (status.adequate_trials, status.met) == (1, False)
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "not met" in page
    bad = dict(data, **{"trials-0-weeks": -1})
    bad["correction_reason"] = "typo"
    assert client.post(reverse("intake:consultation", args=[case.pk]), bad).status_code == 400
    assert Consultation.objects.filter(case=case).count() == 1


def test_medication_review_needs_acknowledged_flags_and_a_fresh_confirmation(clinician) -> None:
    case = CaseFactory(state=CaseState.MEDICATION_REVIEW)
    client = _client(clinician)
    client.post(
        reverse("intake:medications", args=[case.pk]),
        {"name": "Xanax", "dose": "0.5 mg", "frequency": "at night", "kind": "medication"},
    )
    client.post(reverse("intake:medication_confirm", args=[case.pk]))
    flags = interaction_flags(case)
    assert {f.generic for f in flags} == {"alprazolam"}
    with pytest.raises(TransitionRefused, match="acknowledgement of the interaction"):
        case_transition(case_id=case.pk, transition="complete_medication_review", actor=clinician)
    for flag in flags:
        client.post(
            reverse("intake:interaction_ack", args=[case.pk]),
            {
                "rule_code": flag.rule_code,
                "generic": flag.generic,
                "note": "Hold the evening dose before sessions.",
            },
        )
    client.post(
        reverse("intake:medications", args=[case.pk]),
        {"name": "Fish oil", "dose": "1 g", "frequency": "daily", "kind": "supplement"},
    )
    with pytest.raises(TransitionRefused, match="list is complete"):
        case_transition(case_id=case.pk, transition="complete_medication_review", actor=clinician)
    client.post(reverse("intake:medication_confirm", args=[case.pk]))
    done = case_transition(
        case_id=case.pk, transition="complete_medication_review", actor=clinician
    )
    assert done.state == CaseState.CONSENT_PENDING


@pytest.mark.parametrize("entered", ["Klonopin", "clonazepam 0.5mg", "LoRaZePaM"])
def test_clinic_rules_match_brand_member_and_case(clinician, entered) -> None:
    case = CaseFactory(state=CaseState.MEDICATION_REVIEW)
    _client(clinician).post(
        reverse("intake:medications", args=[case.pk]),
        {"name": entered, "dose": "x", "frequency": "y", "kind": "medication"},
    )
    assert any(f.class_code == "benzodiazepine" for f in interaction_flags(case))


def test_admin_staff_and_patients_do_not_see_clinical_intake(admin_staff, own_case, patient_user):
    case = CaseFactory(state=CaseState.EVALUATION)
    satisfy_intake(case, "complete_consultation")
    staff = _client(admin_staff)
    assert staff.get(reverse("intake:evaluation", args=[case.pk])).status_code == 403
    page = staff.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="intake"' not in page and "anhedonia" not in page
    patient = _client(patient_user)
    assert patient.get(reverse("intake:evaluation", args=[case.pk])).status_code == 403
    assert patient.get(reverse("intake:consultation", args=[own_case.pk])).status_code == 403


def test_reference_data_changes_are_audited(clinic_admin) -> None:
    client = _client(clinic_admin)
    ci = ContraindicationType.objects.get(code="active_substance_use_disorder")
    response = client.post(
        f"/admin/planning/contraindicationtype/{ci.pk}/change/",
        {
            "code": ci.code,
            "label": ci.label,
            "kind": "absolute",
            "derived_from": "",
            "note": "",
            "active": "on",
            "position": ci.position,
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="config.change")
    assert entry.data["after"] == {"kind": "absolute"}
