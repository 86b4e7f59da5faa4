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
