"""What every signed-in page costs before its own work (the "floor"): the session, and the user
read together with their roles, permissions and the clinic's idle minutes (core.auth_backend).
An unchanged session is not written (core.sessions)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.twofactor import give_totp

pytestmark = pytest.mark.django_db

FLOOR = 2


def _security_page_queries(user, django_assert_num_queries, page: int) -> None:
    client = Client()
    client.force_login(user)
    client.get(reverse("security"))  # the first request stamps the session (last seen)
    for _ in range(2):
        with django_assert_num_queries(FLOOR + page):
            assert client.get(reverse("security")).status_code == 200


def test_a_signed_in_page_costs_two_queries_before_its_own(
    clinician, django_assert_num_queries
) -> None:
    _security_page_queries(clinician, django_assert_num_queries, page=1)  # no app set up


def test_the_security_page_reads_codes_and_passkeys_beside_an_app(
    clinician, django_assert_num_queries
) -> None:
    give_totp(clinician)
    _security_page_queries(clinician, django_assert_num_queries, page=3)
