"""Pages that list plans and records never select the PDF bytes (they live in their own table
and only a download or a check reads them)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.treatment.pdf import plan_pdf_ensure

pytestmark = pytest.mark.django_db

BYTES_COLUMN = "pdf_bytes"


@pytest.mark.parametrize("page", ["pathway:case_detail", "treatment:plan_page"])
def test_pages_listing_plans_select_no_pdf_bytes(page, owner, staff_client) -> None:
    owner.seal()
    for plan in owner.case.plans.all():
        plan_pdf_ensure(plan_id=plan.pk)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(reverse(page, args=[owner.case.pk]))
    assert response.status_code == 200
    assert b"ealed PDF" in response.content  # the sealed plan is linked from the page
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("records_sealedrecord" in s for s in sql)  # the records were looked up...
    assert not [s for s in sql if BYTES_COLUMN in s]  # ...without their bytes


def test_the_download_is_the_one_query_that_reads_the_bytes(owner, staff_client) -> None:
    owner.seal()
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(owner.download_url)
    assert len([q for q in queries.captured_queries if BYTES_COLUMN in q["sql"]]) == 1
