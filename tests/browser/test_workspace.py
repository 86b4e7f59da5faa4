"""The staff workspace in a real browser: admin staff filter the board to overdue cases and
open one; a physician works the approval queue. Screenshots go to the test artifacts, and each
page is checked with axe-core (no serious or critical violations)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, CaseFactory, satisfy_intake
from tests.planning.pathway import workspace_helpers as make

AXE = Path(__file__).resolve().parents[2] / "consent/frontend/node_modules/axe-core/axe.min.js"


def assert_accessible(page: Any, name: str, artifacts: Path) -> None:
    """Runs axe-core in the page (evaluated through the DevTools protocol, so the page's
    Content-Security-Policy stays as it is) and fails on serious or critical violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: run consent/frontend/build.sh (expected {AXE})")
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    (artifacts / f"axe-{name}.json").write_text(json.dumps(result["violations"], indent=1))
    assert not bad, "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in bad
    )


@pytest.mark.django_db(transaction=True)
def test_admin_filters_the_board_to_overdue_and_opens_a_case(page, admin_staff, artifacts) -> None:
    late = CaseFactory(
        state=CaseState.ACTIVE, patient__given_name="Runa", patient__family_name="Late"
    )
    make.session(late, on=timezone.localdate() - timedelta(days=2))
    on_time = CaseFactory(
        state=CaseState.ACTIVE, patient__given_name="Odo", patient__family_name="Ontime"
    )
    make.session(on_time, on=timezone.localdate() + timedelta(days=2))
    CaseFactory(state=CaseState.CONSULTATION, patient__given_name="Cai")

    sign_in(page, admin_staff.username, PASSWORD)
    page.goto("/cases/")
    assert page.get_by_test_id("board-row").count() == 3
    assert_accessible(page, "board", artifacts)

    page.evaluate("window.stillThisPage = true")  # gone if the browser loads a new page
    page.get_by_label("Overdue only").check()  # updates the list in place (no page load)
    page.wait_for_url("**overdue=on**")
    rows = page.get_by_test_id("board-row")
    rows.first.wait_for()
    page.wait_for_function("document.querySelectorAll('[data-testid=board-row]').length === 1")
    assert "Runa Late" in rows.first.inner_text()
    assert "2 days overdue" in rows.first.get_by_test_id("next-due").inner_text()
    assert "Nurse" in rows.first.get_by_test_id("waiting").inner_text()
    assert page.evaluate("window.stillThisPage") is True  # htmx swapped the table in place
    page.screenshot(path=str(artifacts / "board-overdue.png"), full_page=True)
    assert_accessible(page, "board-overdue", artifacts)

    page.reload()  # the address keeps the filter; the server renders the same list
    assert page.get_by_label("Overdue only").is_checked()
    assert page.get_by_test_id("board-row").count() == 1

    page.get_by_role("link", name="Runa Late").click()
    assert page.get_by_test_id("case-state").inner_text() == "Active treatment"
    assert page.url.endswith(f"/cases/{late.pk}/")


@pytest.mark.django_db(transaction=True)
def test_physician_works_the_approval_queue(page, physician, artifacts) -> None:
    from decimal import Decimal

    from planning.treatment.services import plans as plan_services

    case = CaseFactory(
        state=CaseState.PLAN_PENDING, patient__given_name="Pia", patient__family_name="Queue"
    )
    satisfy_intake(case, "complete_evaluation")
    plan_services.plan_draft_save(
        case=case,
        actor=physician,
        data=plan_services.PlanInput(
            route="iv",
            dose_value=Decimal("0.5"),
            sessions=2,
            frequency="weekly",
            start_date=timezone.localdate() + timedelta(days=1),
            monitoring_requirements="Per protocol",
            cost_per_session_cents=45000,
        ),
    )
    sign_in(page, physician.username, PASSWORD)
    page.get_by_role("link", name="My work").click()
    plans = page.get_by_test_id("queue-plans")
    assert "Pia Queue" in plans.inner_text()
    page.screenshot(path=str(artifacts / "physician-queue.png"), full_page=True)
    assert_accessible(page, "physician-queue", artifacts)

    plans.get_by_role("link", name="Pia Queue").click()
    # The first signing in a session: user ID and password (21 CFR 11.200).
    page.get_by_label("Your user ID").fill(physician.username)
    page.get_by_label("Re-enter your password to sign").fill(PASSWORD)
    page.get_by_role("button", name="Sign and approve").click()
    assert page.get_by_test_id("case-state").inner_text() == "Active treatment"
    assert Case.objects.get(pk=case.pk).state == CaseState.ACTIVE

    page.get_by_role("link", name="My work").click()
    assert "Pia Queue" not in page.get_by_test_id("queue-plans").inner_text()
    page.screenshot(path=str(artifacts / "physician-queue-done.png"), full_page=True)
