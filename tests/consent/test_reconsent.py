"""Publishing a material version sends signed plan_pending/active cases back to consent; a minor
version changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from consent.models import ConsentRequest, ConsentVersion
from consent.services import consent_version_publish
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.consent.helpers import consent_signed_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_cases(document):
    cases = {}
    for state in (CaseState.PLAN_PENDING, CaseState.ACTIVE, CaseState.COMPLETED, CaseState.ON_HOLD):
        case = CaseFactory(state=state)
        consent_signed_for(case)
        cases[state] = case
    cases["unsigned"] = CaseFactory(state=CaseState.ACTIVE)
    return cases


def _publish(document, clinic_admin, *, material: bool, capture) -> ConsentVersion:
    draft = ConsentVersion.objects.create(
        document=document, label="v2", body_markdown="## Risks\n\nMore.\n", material_change=material
    )
    with capture(execute=True):
        return consent_version_publish(version_id=draft.pk, actor=clinic_admin)


def test_material_version_requires_reconsent(
    document, clinic_admin, signed_cases, django_capture_on_commit_callbacks
) -> None:
    _publish(document, clinic_admin, material=True, capture=django_capture_on_commit_callbacks)
    for state in (CaseState.PLAN_PENDING, CaseState.ACTIVE):
        case = Case.objects.get(pk=signed_cases[state].pk)
        assert case.state == CaseState.CONSENT_PENDING
        invitation = ConsentRequest.objects.get(case_id=case.pk, status="pending")
        assert invitation.sent_to == case.patient.email
    assert Case.objects.get(pk=signed_cases[CaseState.COMPLETED].pk).state == CaseState.COMPLETED
    assert Case.objects.get(pk=signed_cases[CaseState.ON_HOLD].pk).state == CaseState.ON_HOLD
    assert Case.objects.get(pk=signed_cases["unsigned"].pk).state == CaseState.ACTIVE
    assert len(mail.outbox) == 2
    assert all("updated consent document" in m.subject for m in mail.outbox)


def test_minor_version_changes_no_case(
    document, clinic_admin, signed_cases, django_capture_on_commit_callbacks
) -> None:
    _publish(document, clinic_admin, material=False, capture=django_capture_on_commit_callbacks)
    for state in (CaseState.PLAN_PENDING, CaseState.ACTIVE):
        assert Case.objects.get(pk=signed_cases[state].pk).state == state
    assert not ConsentRequest.objects.filter(status="pending").exists()
    assert mail.outbox == []


def test_reconsent_invitation_leads_to_a_new_signature_of_the_new_version(
    document, clinic_admin, physician, django_capture_on_commit_callbacks
) -> None:
    """After re-consent the guard wants the new version signed; the old signature is not enough."""
    from core.errors import TransitionRefused
    from planning.pathway.services import case_transition

    case = CaseFactory(state=CaseState.PLAN_PENDING)
    consent_signed_for(case)
    _publish(document, clinic_admin, material=True, capture=django_capture_on_commit_callbacks)
    assert Case.objects.get(pk=case.pk).state == CaseState.CONSENT_PENDING
    with pytest.raises(TransitionRefused, match="v2"):
        case_transition(case_id=case.pk, transition="record_consent", actor=physician)
