"""The case page costs the same number of queries however much the case holds."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from planning.intake import services as intake_services
from planning.pathway.states import CaseState
from tests.factories import CaseFactory, satisfy_intake

pytestmark = pytest.mark.django_db

# The case page's queries (PostgreSQL; SQLite needs two fewer): the signed-in floor (session;
# the user with roles, permissions and the idle minutes in one statement), the case and its
# audited read, then one read per kind of row the cards show, shared through the request's
# CaseSnapshot. Lowered from 60 when the cards stopped reading the same rows again and the floor
# lost its separate permission, role and settings reads; a card that starts querying per row
# fails here.
BUDGET_INTAKE = 38  # medication review, with the intake guards run for the next step
BUDGET_ACTIVE = 30


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
    with django_assert_max_num_queries(BUDGET_INTAKE):
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
    with django_assert_max_num_queries(BUDGET_ACTIVE) as ten:
        page = client.get(url)
    assert page.status_code == 200
    _events(case, 90)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        page = client.get(url)
    rows = page.content.decode().count("<tr data-kind=")
    assert rows >= (100 if not kind else 1)


# Tables whose rows two cards (or a card and the next step) need: each read by one statement.
_SHARED_TABLES = (
    "planning_evaluation",
    "planning_consultation",
    "planning_treatmentsession",
    "planning_dosingplan",
    "records_sealedrecord",
    "consent_consentrequest",
    "consent_consentdocument",
    "planning_safetyalert",
    "planning_medication",
    "planning_medicationreviewconfirmation",
)


@pytest.mark.parametrize("state", [CaseState.ACTIVE, CaseState.MEDICATION_REVIEW])
def test_case_page_reads_each_shared_row_set_once(physician, state) -> None:
    """The evaluation, the sessions, the plans' and summaries' sealed records, the consent
    invitations: read once per request, for every card and the "Next step" panel."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.planning.treatment.helpers import active_case

    case = active_case(physician)
    if state == CaseState.MEDICATION_REVIEW:
        case = CaseFactory(state=state)
        satisfy_intake(case, "complete_consultation", "complete_evaluation")
        _add_medications(case, physician, ["Xanax", "Fish oil"])
    for role in ("admin_staff", "clinician"):
        physician.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(physician)
    url = reverse("pathway:case_detail", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    assert b'data-testid="intake"' in page.content
    assert b'data-testid="consent-panel"' in page.content
    tables = _SHARED_TABLES
    if state == CaseState.MEDICATION_REVIEW:
        # The review's guard (the function the transition service runs under the case's lock)
        # reads the medication list and its confirmation itself, for the panel's "still needed".
        tables = tuple(t for t in tables if not t.startswith("planning_medication"))
    for table in tables:
        reads = [q["sql"] for q in captured if f'FROM "{table}"' in q["sql"]]
        assert len(reads) <= 1, (table, reads)
