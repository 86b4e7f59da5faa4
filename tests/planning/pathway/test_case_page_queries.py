"""The case page costs the same number of queries however much the case holds."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from planning.intake import services as intake_services
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, satisfy_intake

pytestmark = pytest.mark.django_db


def _add_medications(case, clinician, names) -> None:
    for name in names:
        intake_services.medication_add(
            case=case, actor=clinician, name=name, dose="1 mg", frequency="daily", kind="medication"
        )


def test_case_page_queries_do_not_grow(clinician, django_assert_max_num_queries) -> None:
    case = CaseFactory(state=CaseState.MEDICATION_REVIEW)
    satisfy_intake(case, "complete_consultation", "complete_evaluation")
    _add_medications(case, clinician, ["Xanax"])
    client = Client()
    client.force_login(clinician)
    url = reverse("pathway:case_detail", args=[case.pk])
    client.get(url)
    with django_assert_max_num_queries(200) as small:
        client.get(url)
    _add_medications(
        case,
        clinician,
        [
            "Klonopin",
            "Ritalin",
            "Nardil",
            "Tramadol",
            "Ambien",
            "Fish oil",
            "Vitamin D",
            "Lamictal",
            "Valium",
        ],
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_case_page_query_budget(clinician, django_assert_max_num_queries) -> None:
    """A fixed budget, so a page that starts querying per row fails here."""
    case = CaseFactory(state=CaseState.MEDICATION_REVIEW)
    satisfy_intake(case, "complete_consultation", "complete_evaluation")
    client = Client()
    client.force_login(clinician)
    with django_assert_max_num_queries(60):
        client.get(reverse("pathway:case_detail", args=[case.pk]))


def _events(case, count: int) -> None:
    """`count` audit entries of many kinds, by different people, some naming sealed PDFs."""
    from core.audit import audit_record
    from tests.factories import UserFactory

    actions = (
        ("case.transition", {"from": "consultation", "to": "evaluation", "reason": ""}),
        ("plan.approve", {"version": 1, "meaning": "approved as treating physician"}),
        ("record.sealed", {"kind": "plan", "owner_id": 1, "version": 1}),
        ("record.sealed", {"kind": "consent", "owner_id": 1, "version": 1}),
        ("consent.signed", {"version": "v1", "typed_name": "A B"}),
        ("session.vitals", {"number": 1, "minute": 40}),
        ("followup.remind", {"kind": "phq9"}),
        ("access.denied", {}),
    )
    for i in range(count):
        action, data = actions[i % len(actions)]
        audit_record(action=action, actor=UserFactory(), case_id=case.pk, target="t", data=data)


@pytest.mark.parametrize("kind", ["", "plan", "access"])
def test_case_page_queries_do_not_grow_with_events(
    clinician, kind, django_assert_max_num_queries
) -> None:
    """10 or 100 events on the timeline (any filter): the same number of queries."""
    case = CaseFactory(state=CaseState.ACTIVE)
    client = Client()
    client.force_login(clinician)
    url = reverse("pathway:case_detail", args=[case.pk]) + (f"?kind={kind}" if kind else "")
    _events(case, 10)
    client.get(url)
    with django_assert_max_num_queries(60) as ten:
        page = client.get(url)
    assert page.status_code == 200
    _events(case, 90)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        page = client.get(url)
    rows = page.content.decode().count("<tr data-kind=")
    assert rows >= (100 if not kind else 1)
