"""Declining on the link withdraws the case; a signed-in patient withdraws consent from their
page after a confirmation; nobody reaches someone else's case."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRequest, ConsentWithdrawal, PaperCopyRequest
from core.models import AuditEntry
from core.roles import Role
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.consent.flow import Patient, invite
from tests.consent.helpers import consent_signed_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_declining_withdraws_the_case(consent_case, desk, document) -> None:
    req, link = invite(consent_case, desk)
    patient = Patient(link)
    patient.dob("1985-05-20")
    assert b"I decline to sign" in patient.get("decline/").content
    response = patient.post("decline/", {"reason": "I prefer therapy first"})
    assert b"You declined to sign" in response.content
    assert ConsentRequest.objects.get(pk=req.pk).status == "declined"
    case = Case.objects.get(pk=consent_case.pk)
    assert case.state == CaseState.WITHDRAWN
    entry = AuditEntry.objects.filter(case_id=case.pk, action="case.transition").latest("seq")
    assert "I prefer therapy first" in entry.data["reason"]
    assert patient.get("read/").status_code == 410


def test_paper_copy_request_becomes_a_staff_task(consent_case, desk, document) -> None:
    req, link = invite(consent_case, desk)
    patient = Patient(link)
    patient.dob("1985-05-20")
    response = patient.post("disclosure/", {"choice": "paper", "note": "Large print, please"})
    assert b"We will send you a paper copy" in response.content
    task = PaperCopyRequest.objects.get(request=req)
    staff = Client()
    staff.force_login(desk)
    page = staff.get(reverse("pathway:case_detail", args=[consent_case.pk]))
    assert b"To do: send a paper copy" in page.content and b"Large print, please" in page.content
    staff.post(reverse("consent_paper_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.completed_by == desk
    assert (
        b"To do: send a paper copy"
        not in staff.get(reverse("pathway:case_detail", args=[consent_case.pk])).content
    )


def test_disclosure_needs_the_box_ticked(consent_case, desk, document) -> None:
    _req, link = invite(consent_case, desk)
    patient = Patient(link)
    patient.dob("1985-05-20")
    response = patient.post("disclosure/", {"choice": "agree"})
    assert response.status_code == 400
    assert b"Please tick the box to agree" in response.content
    assert patient.get("read/").status_code == 302  # still at the disclosure


def test_patient_withdraws_consent_from_their_page(document, patient_user) -> None:
    case = CaseFactory(state=CaseState.PLAN_PENDING, patient__user=patient_user)
    consent_signed_for(case)
    client = Client()
    client.force_login(patient_user)
    home = client.get(reverse("pathway:patient_home"))
    assert b"Withdraw my consent" in home.content
    url = reverse("consent_withdraw", args=[case.pk])
    assert b"I understand that withdrawing" in client.get(url).content
    unconfirmed = client.post(url, {"reason": "Changed my mind"})
    assert unconfirmed.status_code == 400
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
    client.post(url, {"reason": "Changed my mind", "confirm": "on"})
    assert Case.objects.get(pk=case.pk).state == CaseState.WITHDRAWN
    withdrawal = ConsentWithdrawal.objects.get(case_id=case.pk)
    assert withdrawal.signature is not None


def test_patient_cannot_withdraw_someone_elses_case(document, patient_user) -> None:
    other = CaseFactory(state=CaseState.PLAN_PENDING, patient__user=make_user(Role.PATIENT))
    client = Client()
    client.force_login(patient_user)
    url = reverse("consent_withdraw", args=[other.pk])
    assert client.get(url).status_code == 404
    client.post(url, {"reason": "x", "confirm": "on"})
    assert Case.objects.get(pk=other.pk).state == CaseState.PLAN_PENDING


def test_staff_panel_and_invite_only_at_consent_pending(document, desk) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    staff = Client()
    staff.force_login(desk)
    page = staff.get(reverse("pathway:case_detail", args=[case.pk]))
    assert b'data-testid="consent-panel"' in page.content
    assert b"Send consent invitation" not in page.content
    response = staff.post(reverse("consent_invite", args=[case.pk]), follow=True)
    assert b"No invitation was sent" in response.content
    assert not ConsentRequest.objects.exists()


def test_patients_cannot_send_invitations(consent_case, patient_user) -> None:
    client = Client()
    client.force_login(patient_user)
    assert client.post(reverse("consent_invite", args=[consent_case.pk])).status_code == 403
    assert not ConsentRequest.objects.exists()


def test_an_invitation_to_a_patient_without_an_address_is_refused_and_changes_nothing(
    consent_case, desk
) -> None:
    """Staff are told why and what to do instead; the open link keeps working."""
    from consent.services import consent_request_create

    open_request, _ = consent_request_create(case_id=consent_case.pk, actor=desk)
    consent_case.patient.email = ""
    consent_case.patient.save()
    staff = Client()
    staff.force_login(desk)
    page = staff.get(reverse("pathway:case_detail", args=[consent_case.pk])).content.decode()
    assert re.search(r"<button type=\"submit\" disabled[^>]*>Send consent invitation", page)
    assert "sign on a clinic tablet" in page
    response = staff.post(reverse("consent_invite", args=[consent_case.pk]), follow=True)
    text = response.content.decode()
    assert "No invitation was sent" in text and "no e-mail address on file" in text
    assert "Invitation sent" not in text
    assert list(ConsentRequest.objects.values_list("pk", "status")) == [
        (open_request.pk, ConsentRequest.Status.PENDING)
    ]
