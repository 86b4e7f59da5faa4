"""A small clinic with a case at each stage, for the crawler of the property-based tests: a
consultation, a case waiting for its plan (a draft written), an active case (approved plan,
sessions, follow-ups) whose patient signs in, a case waiting for consent with a signing link,
and a due PHQ-9 follow-up with its questionnaire link."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ComprehensionQuestion
from consent.services import consent_request_create
from core.links import link_create
from core.models import LinkPurpose, User
from core.roles import Role
from demo.consent import consent_demo_document_seed
from demo.pathway import DEMO_CSSRS, DEMO_PHQ9
from planning.followups.models import FollowUp, FollowUpStatus
from planning.intake import services as intake_services
from planning.intake.models import ContraindicationType
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.consent.helpers import consent_signed_for
from tests.factories import PASSWORD, CaseFactory, draft_plan, satisfy_intake
from tests.planning.treatment.helpers import active_case, next_session
from tests.support.twofactor import give_totp

DOB = "1985-05-20"  # the factories' date of birth


@dataclass
class World:
    users: dict[str, User]
    cases: list[Case]
    consent_link: str  # a fresh signing link
    consent_steps: dict[str, str]  # a signing link per step to open it at, for "link"
    followup_link: str
    patient_name: str
    patient_dob: str = DOB
    extra_seeds: list[str] = field(default_factory=list)

    def seeds(self, role: str) -> list[str]:
        if role == "anonymous":
            return [self.consent_link, self.followup_link, reverse("login")]
        if role == "link":
            return [*self.consent_steps.values(), self.followup_link, reverse("login_code")]
        pages = [reverse("home"), reverse("security")]
        if role == "patient":
            return [*pages, reverse("pathway:patient_home")]
        pages += [reverse("pathway:case_board"), reverse("pathway:case_open")]
        pages += [reverse("pathway:case_detail", args=[c.pk]) for c in self.cases]
        return pages + self.extra_seeds + [reverse("consent_verify")]

    def open_links(self, client: Client) -> None:
        """As the patient's browser: each signing link taken to its step (past the date of
        birth; agreed to e-signing; read; answered), and the questionnaire link opened."""
        for step, link in self.consent_steps.items():
            _consent_to(client, link, step)
        assert client.post(self.followup_link, {"date_of_birth": DOB}).status_code == 302
        # The password of an account with an app: the browser is now asked for the code.
        signing_in = {"username": self.users["clinic_admin"].username, "password": PASSWORD}
        assert client.post(reverse("login"), signing_in).status_code == 302


CONSENT_STEPS = ("disclosure", "read", "questions", "review")


def _consent_to(client: Client, link: str, step: str) -> None:
    assert client.post(link, {"date_of_birth": DOB}).status_code == 302
    if step == "disclosure":
        return
    client.post(link + "disclosure/", {"choice": "agree", "understood": "on"})
    if step == "read":
        return
    read = client.get(link + "read/")
    version = re.search(rb'name="version_id" value="(\d+)"', read.content)
    assert version, read.content[:500]
    client.post(link + "read/", {"version_id": version.group(1).decode()})
    if step == "questions":
        return
    answers = {f"q{q.pk}": q.correct_choice for q in ComprehensionQuestion.objects.all()}
    client.post(link + "questions/", {"version_id": version.group(1).decode(), **answers})


def _flagged_case(clinician: User, physician: User) -> Case:
    """At evaluation with a relative contraindication screened yes, a benzodiazepine on the
    list and a safety alert: the override, acknowledgement and alert forms show."""
    case = CaseFactory(state=CaseState.EVALUATION, physician=physician)
    satisfy_intake(case, "complete_consultation")
    screened = ContraindicationType.objects.filter(active=True, derived_from="")
    vitals = intake_services.Vitals(128, 82, 74, 98, Decimal("72.5"), Decimal("171"))
    answers = {"phq9": DEMO_PHQ9, "cssrs_screener": DEMO_CSSRS}
    screening = {ci.code: ci.code == "active_substance_use_disorder" for ci in screened}
    intake_services.evaluation_record(
        case=case,
        actor=clinician,
        vitals=vitals,
        screening=screening,
        questionnaires=answers,
        pregnancy_status="not_applicable",
    )
    lorazepam = {"name": "Lorazepam", "dose": "1 mg", "frequency": "daily", "kind": "medication"}
    intake_services.medication_add(case=case, actor=clinician, **lorazepam)
    intake_services.alert_raise(case=case, message="Fuzz: review this case.")
    return case


def build_world() -> World:
    users = {
        "physician": make_user(Role.PHYSICIAN, first_name="Amara", last_name="Okafor"),
        "clinician": make_user(Role.CLINICIAN, first_name="Tove", last_name="Lind"),
        "admin_staff": make_user(Role.ADMIN_STAFF),
        "clinic_admin": make_user(Role.CLINIC_ADMIN, is_staff=True),
        "patient": make_user(Role.PATIENT),
    }
    give_totp(users["clinic_admin"])  # so the Security page offers its other forms
    consent_demo_document_seed(actor=users["clinic_admin"])
    physician = users["physician"]

    consultation = CaseFactory(physician=physician)

    waiting = CaseFactory(state=CaseState.PLAN_PENDING, physician=physician)
    satisfy_intake(waiting)
    consent_signed_for(waiting)
    draft_plan(waiting, physician)

    active = active_case(physician, user=users["patient"])
    session = next_session(active)

    links = {}
    for step in ("fresh", *CONSENT_STEPS):
        consenting = CaseFactory(state=CaseState.CONSENT_PENDING, physician=physician)
        _, token = consent_request_create(case_id=consenting.pk, actor=users["admin_staff"])
        links[step] = reverse("consent_link", args=[token])
    flagged = _flagged_case(users["clinician"], physician)

    followup = active.followups.filter(kind="phq9").order_by("due_at").first()
    assert followup is not None
    link, followup_token = link_create(
        purpose=LinkPurpose.FOLLOWUP,
        patient=active.patient,
        case_id=active.pk,
        expires_at=timezone.now() + timedelta(days=3),
    )
    FollowUp.objects.filter(pk=followup.pk).update(
        link=link,
        status=FollowUpStatus.REMINDED,
        due_at=timezone.now() - timedelta(hours=1),
        window_ends_at=timezone.now() + timedelta(days=2),
    )
    extra: list[Any] = []
    if session is not None:
        extra.append(reverse("treatment:session_page", args=[active.pk, session.pk]))
    return World(
        users=users,
        cases=[consultation, waiting, active, consenting, flagged],
        consent_link=links.pop("fresh"),
        consent_steps=links,
        followup_link=reverse("followups:link", args=[followup_token]),
        patient_name=consenting.patient.full_name,
        extra_seeds=extra,
    )
