"""The case page's "Next step" panel: for a case in every state and every staff role, it names
the next thing to do and lets the user do it, or says who else must act; every other step the
user may take sits behind "More", each reason with its own label."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent import services as consent_services
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.pathway.waiting import WaitingOn, waiting_for_case
from tests.conftest import make_user
from tests.factories import CaseFactory, approve_plan, satisfy_guards, satisfy_intake
from tests.planning.pathway import workspace_helpers

pytestmark = pytest.mark.django_db

ROLES = (Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF)
NURSE, PHYSICIAN, ADMIN = "a nurse or physician", "a physician", "admin staff"
CLINICAL = {Role.CLINICIAN, Role.PHYSICIAN}


def _case(state: str) -> Case:
    case: Case = CaseFactory(state=state)
    return case


def consultation_empty() -> Case:
    return _case(CaseState.CONSULTATION)


def consultation_recorded() -> Case:
    case = _case(CaseState.CONSULTATION)
    satisfy_intake(case, "complete_consultation")
    return case


def evaluation_empty() -> Case:
    return _case(CaseState.EVALUATION)


def medication_review_empty() -> Case:
    return _case(CaseState.MEDICATION_REVIEW)


def consent_no_document() -> Case:
    return _case(CaseState.CONSENT_PENDING)


def consent_not_sent() -> Case:
    consent_demo_document_seed(actor=make_user(Role.CLINIC_ADMIN, is_staff=True))
    return _case(CaseState.CONSENT_PENDING)


def consent_sent() -> Case:
    case = consent_not_sent()
    consent_services.consent_request_create(case_id=case.pk, actor=None)
    return case


def plan_not_written() -> Case:
    return _case(CaseState.PLAN_PENDING)


def active_with_sessions_left() -> Case:
    case = _case(CaseState.PLAN_PENDING)
    satisfy_intake(case, "complete_consultation", "complete_evaluation")
    approve_plan(case, make_user(Role.PHYSICIAN))
    return Case.objects.get(pk=case.pk)


def active_course_done() -> Case:
    case = _case(CaseState.ACTIVE)
    satisfy_guards(case, "complete_treatment")
    return case


def on_hold() -> Case:
    case = _case(CaseState.ON_HOLD)
    Case.objects.filter(pk=case.pk).update(held_from=CaseState.EVALUATION)
    return case


def with_open_alert(make: Callable[[], Case]) -> Callable[[], Case]:
    """The case `make` builds, with a safety alert no physician has decided yet."""

    def build() -> Case:
        case = make()
        workspace_helpers.alert(case)
        return case

    return build


def final(state: str) -> Callable[[], Case]:
    return lambda: _case(state)


# situation, title pattern, who acts, the roles that can act, how (link/post/transition/none)
SITUATIONS: list[tuple[str, Callable[[], Case], str, str, set[Role], str]] = [
    ("consultation", consultation_empty, "Record the consultation", NURSE, CLINICAL, "link"),
    (
        "consultation-recorded",
        consultation_recorded,
        "Complete consultation",
        NURSE,
        CLINICAL,
        "transition",
    ),
    ("evaluation", evaluation_empty, "Record the evaluation", NURSE, CLINICAL, "link"),
    (
        "medication-review",
        medication_review_empty,
        "Review the medications and confirm the list",
        NURSE,
        CLINICAL,
        "link",
    ),
    (
        "consent-no-document",
        consent_no_document,
        "Publish a consent document",
        "a clinic administrator",
        set(),
        "none",
    ),
    (
        "consent-not-sent",
        consent_not_sent,
        "Send the consent invitation",
        ADMIN,
        set(ROLES),
        "post",
    ),
    (
        "consent-sent",
        consent_sent,
        "Waiting for the patient to sign the consent sent on ",
        "the patient",
        set(),
        "none",
    ),
    (
        "plan-pending",
        plan_not_written,
        "Write the dosing plan",
        PHYSICIAN,
        {Role.PHYSICIAN},
        "link",
    ),
    ("active", active_with_sessions_left, "Run session 1 on ", NURSE, CLINICAL, "link"),
    (
        "evaluation-alert",
        with_open_alert(evaluation_empty),
        "Review the open safety alert (1)",
        PHYSICIAN,
        {Role.PHYSICIAN},
        "link",
    ),
    (
        "active-alert",
        with_open_alert(active_with_sessions_left),
        "Review the open safety alert (1)",
        PHYSICIAN,
        {Role.PHYSICIAN},
        "link",
    ),
    ("active-done", active_course_done, "Complete treatment", NURSE, CLINICAL, "transition"),
    (
        "on-hold",
        on_hold,
        "Resume the case (it was held from Evaluation)",
        PHYSICIAN,
        set(ROLES),
        "transition",
    ),
    (
        "completed",
        final(CaseState.COMPLETED),
        "Nothing more to do: the case is completed.",
        "",
        set(),
        "none",
    ),
    (
        "withdrawn",
        final(CaseState.WITHDRAWN),
        "Nothing more to do: the case is withdrawn.",
        "",
        set(),
        "none",
    ),
    (
        "ineligible",
        final(CaseState.INELIGIBLE),
        "Nothing more to do: the case is ineligible.",
        "",
        set(),
        "none",
    ),
]


def _panel(html: str) -> str:
    match = re.search(r'<section class="card next-step".*?</section>', html, re.S)
    assert match, "no Next step panel"
    return match.group(0)


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize(
    ("make", "title", "waiting_on", "actors", "how"),
    [pytest.param(*s[1:], id=s[0]) for s in SITUATIONS],
)
def test_next_step_for_every_state_and_role(
    make: Callable[[], Case], title: str, waiting_on: str, actors: set[Role], how: str, role: Role
) -> None:
    case = make()
    client = Client()
    client.force_login(make_user(role))
    response = client.get(reverse("pathway:case_detail", args=[case.pk]))
    assert response.status_code == 200
    panel = _panel(response.content.decode())
    title_html = re.search(r'data-testid="next-step-title">(.*?)</p>', panel, re.S)
    assert title_html and title in _text(title_html.group(1))
    action = re.search(r'<(a|form)[^>]*data-testid="next-step-action"', panel)
    if role in actors:
        assert action is not None, "the user who can act gets a link or a button"
        if how == "link":
            assert action.group(1) == "a"
        elif how == "transition":
            assert 'data-transition="' in action.group(0)
        else:
            assert action.group(1) == "form" and "data-transition" not in action.group(0)
        assert "Waiting for" not in _text(panel)
    else:
        assert action is None
        if waiting_on:
            assert f"Waiting for {waiting_on}." in _text(panel)


def _more(html: str) -> list[str]:
    details = re.search(r'<details class="more".*?</details>', html, re.S)
    return re.findall(r'data-transition="([a-z_]+)"', details.group(0)) if details else []


def test_active_case_with_sessions_left_does_not_offer_completion_first(clinician) -> None:
    case = active_with_sessions_left()
    client = Client()
    client.force_login(clinician)
    html = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    panel = _panel(html)
    assert "Run session 1" in _text(panel)
    assert "2 sessions left in this course." in _text(panel)
    assert "complete_treatment" in _more(panel)
    before_more = panel.split('<details class="more"')[0]
    assert "complete_treatment" not in before_more
    action = re.search(r'<a class="button" href="([^"]+)" data-testid="next-step-action"', panel)
    assert action is not None and "/sessions/" in action.group(1)


def test_every_reason_field_has_its_own_id_and_label(physician) -> None:
    case = _case(CaseState.ACTIVE)
    client = Client()
    client.force_login(physician)
    html = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    ids = re.findall(r'<textarea id="([^"]+)" name="reason"', html)
    assert len(ids) == len(set(ids)) >= 3
    labels = [
        _text(label)
        for label in re.findall(rf'<label for="(?:{"|".join(ids)})">(.*?)</label>', html)
    ]
    assert len(labels) == len(ids) == len(set(labels))
    assert "Reason (required)" not in labels
    assert "Why put on hold? (required)" in labels


def test_a_consent_sent_today_names_its_day(admin_staff: Any) -> None:
    case = consent_sent()
    client = Client()
    client.force_login(admin_staff)
    html = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    today = timezone.localdate()
    assert f"sent on {today.day} {today:%b} {today.year}" in _text(_panel(html))


# The board's "waiting on" and the case page's "Waiting for ..." come from two places (the
# board's rules in SQL, `planning.pathway.waiting`; the step providers, `next_step`): they must
# name the same person for every situation.
BOARD_WAITING_ON = {
    "the patient": WaitingOn.PATIENT,
    NURSE: WaitingOn.NURSE,
    PHYSICIAN: WaitingOn.PHYSICIAN,
    ADMIN: WaitingOn.ADMIN_STAFF,
    "a clinic administrator": WaitingOn.ADMIN_STAFF,
    "": WaitingOn.NOBODY,
}


@pytest.mark.parametrize(
    ("make", "waiting_on"), [pytest.param(s[1], s[3], id=s[0]) for s in SITUATIONS]
)
def test_the_board_and_the_next_step_wait_on_the_same_person(
    make: Callable[[], Case], waiting_on: str
) -> None:
    case = make()
    assert waiting_for_case(case).who == BOARD_WAITING_ON[waiting_on]
