"""The staff pages: buttons match what the user may do, refusals are 4xx with the reason."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Patient
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, PatientFactory, satisfy_intake

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'data-transition="([a-z_]+)"', html))


def test_case_page_shows_exactly_the_users_transitions(clinician, physician, admin_staff) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    url = reverse("pathway:case_detail", args=[case.pk])
    assert _buttons(_client(clinician).get(url).content.decode()) == {
        "complete_evaluation",
        "hold",
        "withdraw",
    }
    assert _buttons(_client(physician).get(url).content.decode()) == {
        "complete_evaluation",
        "hold",
        "withdraw",
        "mark_ineligible",
    }
    assert _buttons(_client(admin_staff).get(url).content.decode()) == {"hold", "withdraw"}


def test_transition_through_the_page_is_on_the_timeline(clinician) -> None:
    case = CaseFactory()
    satisfy_intake(case, "complete_consultation")
    client = _client(clinician)
    response = client.post(
        reverse("pathway:case_transition", args=[case.pk]),
        {"transition": "complete_consultation", "expected_state": "consultation"},
    )
    assert response.status_code == 302
    page = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "moved the case from Consultation to Evaluation" in page
    assert Case.objects.get(pk=case.pk).state == CaseState.EVALUATION


@pytest.mark.parametrize(
    ("state", "transition", "text"),
    [
        (CaseState.ACTIVE, "complete_consultation", "not possible while the case is Active"),
        (CaseState.PLAN_PENDING, "approve_plan", "may not"),
        (CaseState.CONSULTATION, "hold", "reason"),
        (CaseState.CONSULTATION, "fly", "no step"),
    ],
)
def test_refusals_redirect_back_with_the_reason(clinician, state, transition, text) -> None:
    """Post/redirect/get: the refusal is a message on the case page; a reload posts nothing."""
    case = CaseFactory(state=state)
    client = _client(clinician)
    response = client.post(
        reverse("pathway:case_transition", args=[case.pk]), {"transition": transition}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pathway:case_detail", args=[case.pk])
    assert text in client.get(response["Location"]).content.decode()
    assert Case.objects.get(pk=case.pk).state == state


def test_refused_step_keeps_the_typed_reason_once(clinician) -> None:
    case = CaseFactory(state=CaseState.EVALUATION)
    client = _client(clinician)
    url = reverse("pathway:case_transition", args=[case.pk])
    response = client.post(
        url,
        {
            "transition": "hold",
            "reason": "Patient travelling <abroad>",
            "expected_state": "consultation",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("pathway:case_detail", args=[case.pk]), 302)]
    assert "changed while you were looking" in page
    kept = re.search(r'<textarea id="reason-hold"[^>]*>([^<]*)</textarea>', page)
    assert kept is not None and kept.group(1) == "Patient travelling &lt;abroad&gt;"
    assert re.search(r'<details class="more" open', page)
    again = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert re.search(r'<textarea id="reason-hold"[^>]*></textarea>', again)
    assert Case.objects.get(pk=case.pk).state == CaseState.EVALUATION


def test_patient_refusal_goes_back_to_their_page(own_case, patient_user) -> None:
    response = _client(patient_user).post(
        reverse("pathway:case_transition", args=[own_case.pk]), {"transition": "withdraw"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pathway:patient_home")


def test_api_refusals_are_json(clinician) -> None:
    case = CaseFactory(state=CaseState.PLAN_PENDING)
    url = reverse("api:case_transitions", args=[case.pk])
    client = _client(clinician)
    forbidden = client.post(
        url, json.dumps({"transition": "approve_plan"}), content_type="application/json"
    )
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"
    bad = client.post(url, "{not json", content_type="application/json")
    assert bad.status_code == 400 and "body" in bad.json()["fields"]
    missing = client.post(
        url, json.dumps({"transition": "withdraw"}), content_type="application/json"
    )
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    ok = client.post(
        url,
        json.dumps({"transition": "withdraw", "reason": "moved away"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "withdrawn"
    assert ok.json()["available_transitions"] == []


def test_open_case_for_new_patient(admin_staff, physician) -> None:
    response = _client(admin_staff).post(
        reverse("pathway:case_open"),
        {
            "given_name": "Noor",
            "family_name": "Fictional",
            "date_of_birth": "1990-02-03",
            "mrn": "NEW-1",
            "email": "noor@example.invalid",
            "physician": physician.pk,
        },
    )
    case = Case.objects.get(patient__mrn="NEW-1")
    assert response.status_code == 302 and response.url == reverse(
        "pathway:case_detail", args=[case.pk]
    )
    assert case.state == CaseState.CONSULTATION and case.physician == physician
    assert AuditEntry.objects.filter(action="case.open", case_id=case.pk).exists()


def test_open_case_form_errors_change_nothing(admin_staff) -> None:
    PatientFactory(mrn="DUP-1")
    client = _client(admin_staff)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("pathway:case_open"),
        {"given_name": "A", "family_name": "B", "date_of_birth": tomorrow, "mrn": "X"},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    response = client.post(
        reverse("pathway:case_open"),
        {"given_name": "A", "family_name": "B", "date_of_birth": "1980-01-01", "mrn": "dup-1"},
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    response = client.post(reverse("pathway:case_open"), {"given_name": "A"})
    assert response.status_code == 400 and "Required for a new patient" in response.content.decode()
    assert Patient.objects.count() == 1 and Case.objects.count() == 0


def test_second_open_case_for_a_patient_is_refused(admin_staff) -> None:
    case = CaseFactory()
    response = _client(admin_staff).post(
        reverse("pathway:case_open"), {"existing_patient": case.patient_id}
    )
    assert response.status_code == 400
    assert "already has an open case" in response.content.decode()
    assert Case.objects.count() == 1


def test_reminder_channel_is_recorded_and_texts_need_a_phone(admin_staff) -> None:
    client = _client(admin_staff)
    new = {"given_name": "Ari", "family_name": "Text", "date_of_birth": "1990-02-03"}
    response = client.post(
        reverse("pathway:case_open"), {**new, "mrn": "SMS-1", "contact_channel": "sms"}
    )
    assert response.status_code == 400 and "phone number is needed" in response.content.decode()
    assert not Patient.objects.filter(mrn="SMS-1").exists()
    data = {**new, "mrn": "SMS-1", "contact_channel": "sms", "phone": "+44 7700 900111"}
    response = client.post(reverse("pathway:case_open"), data)
    patient = Patient.objects.get(mrn="SMS-1")
    assert response.status_code == 302 and patient.contact_channel == "sms"
    page = client.get(response.url).content.decode()
    assert "Text message (SMS)" in page
