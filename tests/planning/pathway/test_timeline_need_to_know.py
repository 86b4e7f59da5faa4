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


@pytest.mark.parametrize(
    "action",
    sorted(
        a for a in timeline.restricted_actions() if isinstance(timeline._WORDING[a].wording, str)
    ),
)
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


def test_a_reason_written_by_clinical_staff_is_theirs_to_read(
    admin_staff, physician, clinician
) -> None:
    """A step's reason can carry what an alert decision or an amendment hides (the hold after
    "Safety alert: Hold. <why>"): admin staff read that the case moved, not why, unless they
    wrote the reason themselves. The API's list of steps says the same."""
    from planning.pathway.services import case_transition
    from planning.pathway.states import CaseState

    case = CaseFactory(state=CaseState.ACTIVE)
    case_transition(
        case_id=case.pk, transition="hold", actor=physician, reason="Safety alert: Hold. SECRET-why"
    )
    case_transition(
        case_id=case.pk, transition="resume", actor=admin_staff, reason="Back from travel"
    )
    staff_page = _page(admin_staff, case)
    assert "SECRET-why" not in staff_page
    assert "moved the case from Active treatment to On hold" in staff_page
    assert "Back from travel" in staff_page
    assert "SECRET-why" in _page(clinician, case)
    client = Client()
    client.force_login(admin_staff)
    api = client.get(reverse("api:case_transitions", args=[case.pk]))
    assert api.status_code == 200, api.content[:300]
    reasons = [step["reason"] for step in api.json()["performed"]]
    assert "Back from travel" in reasons and not any("SECRET" in r for r in reasons)


def test_a_reason_recorded_before_the_flag_counts_as_clinical_when_a_person_wrote_it() -> None:
    from core.models import User
    from planning.pathway.wording import transition_reason

    person = AuditEntry(action="case.transition", actor=User(pk=5), data={"reason": "x"})
    system = AuditEntry(action="case.transition", actor_label="system", data={"reason": "y"})
    assert transition_reason(person, clinical=False) == ""
    assert transition_reason(person, clinical=True) == "x"
    assert transition_reason(system, clinical=False) == "y"
