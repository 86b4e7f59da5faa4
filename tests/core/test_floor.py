"""What every signed-in page costs before its own work (the "floor"): the session, the user
read together with their roles and permissions (core.auth_backend), and the clinic's settings
(idle log-off). An unchanged session is not written (core.sessions)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

FLOOR = 3
SECURITY_PAGE = 3  # second factor set up?, recovery codes left, passkeys


def test_a_signed_in_page_costs_three_queries_before_its_own(
    clinician, django_assert_num_queries
) -> None:
    client = Client()
    client.force_login(clinician)
    client.get(reverse("security"))  # the first request stamps the session (last seen)
    for _ in range(2):
        with django_assert_num_queries(FLOOR + SECURITY_PAGE):
            assert client.get(reverse("security")).status_code == 200
