"""The timeline tells each role what it needs: admin staff read that a clinical thing happened
and by whom, never the clinical detail (a medication, a score, a dose, an alert's text), and
are offered links only to records their role may open."""

from __future__ import annotations

import string

import pytest
from django.test import Client
from django.urls import reverse

from core import timeline
from core.audit import audit_record
from core.models import AuditEntry
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Keys a restricted wording may still show: positions and versions, not clinical content.
NOT_CLINICAL = {"number", "from_version", "version", "who", "device"}


def _keys(wording: object) -> set[str]:
    if not isinstance(wording, str):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name}


@pytest.mark.parametrize("action", sorted(timeline.restricted_actions()))
def test_a_restricted_wording_drops_the_clinical_detail(action: str) -> None:
    full = timeline._WORDING[action].wording
    keys = _keys(full)
    data = {key: "7" if key in NOT_CLINICAL else f"SECRET-{key}" for key in keys}
    entry = AuditEntry(action=action, actor_label="Nurse Lind", data=data)
    assert "SECRET" in timeline.describe(entry), "the full wording carries the detail"
    assert "SECRET" not in timeline.describe(entry, clinical=False)


@pytest.mark.parametrize(
    "action",
    [
        "alert.raise",
        "medication.add",
        "interaction.acknowledge",
        "contraindication.override",
        "session.dosing",
        "session.predose",
        "followup.questionnaire",
    ],
)
def test_the_clinical_actions_have_a_restricted_wording(action: str) -> None:
    assert action in timeline.restricted_actions()


def _case_with_clinical_history():
    case = CaseFactory()
    for action, data in (
        ("alert.raise", {"message": "Suicidal ideation reported (item 9)"}),
        ("medication.add", {"name": "Sertraline"}),
        ("followup.questionnaire", {"total": 17}),
        ("record.sealed", {"kind": "plan", "owner_id": 41, "version": 1}),
    ):
        audit_record(action=action, actor_label="Nurse Lind", case_id=case.pk, data=data)
    return case


CLINICAL_WORDS = ("Suicidal ideation", "Sertraline", "PHQ-9 17")


def _page(user, case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("pathway:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_admin_staff_read_what_happened_without_the_clinical_detail(admin_staff) -> None:
    case = _case_with_clinical_history()
    page = _page(admin_staff, case)
    for words in CLINICAL_WORDS:
        assert words not in page
    assert "A safety alert was raised (details for clinical staff)" in page
    assert "Nurse Lind updated the medication list" in page
    assert "The patient answered a follow-up questionnaire" in page
    assert "The dosing plan PDF was sealed" in page
    plan_pdf = reverse("treatment:plan_pdf", args=[case.pk, 41])
    assert plan_pdf not in page, "admin staff may not open a plan PDF: no link to it"


def test_clinical_staff_read_the_detail_and_get_the_link(physician) -> None:
    case = _case_with_clinical_history()
    page = _page(physician, case)
    for words in CLINICAL_WORDS:
        assert words in page
    assert reverse("treatment:plan_pdf", args=[case.pk, 41]) in page


def test_the_follow_ups_table_shows_the_score_only_to_clinical_staff(
    admin_staff, clinician
) -> None:
    from planning.followups.models import FollowUp

    case = CaseFactory()
    followup = FollowUp.objects.create(
        case=case,
        kind="check_in",
        key=f"t:{case.pk}",
        due_at=case.created_at,
        window_ends_at=case.created_at,
        status="completed",
        completed_at=case.created_at,
    )
    response = _questionnaire_response(case, total=17)
    FollowUp.objects.filter(pk=followup.pk).update(response=response)
    assert "PHQ-9 17" not in _page(admin_staff, case)
    assert "PHQ-9 17" in _page(clinician, case)


def _questionnaire_response(case, *, total: int):
    from planning.intake.models import QuestionnaireDefinition, QuestionnaireResponse

    definition = QuestionnaireDefinition.objects.filter(code="phq9").first()
    assert definition is not None
    return QuestionnaireResponse.objects.create(
        case=case, definition=definition, answers={}, total=total, band="moderately severe"
    )
