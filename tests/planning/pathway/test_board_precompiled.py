"""The board's facts from SQL compiled once per process (planning.pathway.precompiled) give the
same query, and so the same rows, as the facts built by the ORM on every request: for every
combination of the board's filters and sorts, at more than one moment; a clinic setting a fact
reads is part of the compiled SQL's key; an expression whose parameters are not plain `now`
is not cached; and compiled SQL refuses to serve inside another query."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import NotSupportedError
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import ClinicSettings
from planning.followups.models import FollowUp
from planning.pathway import board, precompiled, waiting
from planning.pathway.models import Case
from planning.pathway.states import BOARD_ORDER, CaseState
from tests.factories import CaseFactory
from tests.planning.pathway import workspace_helpers as make

pytestmark = pytest.mark.django_db
S = CaseState


def _world() -> None:
    """Cases in every state, with every fact the board reads, some of them past due."""
    now, today = timezone.now(), timezone.localdate()
    for i, state in enumerate(BOARD_ORDER):
        plain = CaseFactory(state=state)
        busy = CaseFactory(state=state)
        make.alert(busy)
        make.failed_message(busy)
        make.followup(busy, due_at=now - timedelta(days=1 + i % 3))
        make.session(busy, on=today - timedelta(days=i % 2))
        if i % 2:
            make.override(plain)
            make.consent_request(plain, locked=bool(i % 4 == 1))
            make.followup(plain, due_at=now + timedelta(hours=2), status="reminded", kind="phq9")
        else:
            make.plan(plain)
            make.consent_request(plain, expires_in=timedelta(hours=-1))
            make.session(
                plain,
                on=today + timedelta(days=2),
                status="signed_off",
                rems_due_at=now + timedelta(days=3),
            )
    for pre in (
        {"pre_systolic": 190, "pre_diastolic": 95},
        {"pre_systolic": 150, "pre_diastolic": 80},
    ):
        make.session(CaseFactory(state=S.ACTIVE), on=today, predose_recorded_at=now, **pre)


def _combinations() -> list[dict[str, Any]]:
    """Every state with every "waiting on" and overdue (the filter on who acts next is written
    per state), each taking the next badge filter and sort in turn; then every badge with every
    sort, each taking the next "waiting on" in turn. (The whole product compiles the ORM's
    query over 5,000 times: minutes, for no filter that the pairs leave out.)"""
    states = ["", board.OPEN, board.CLOSED, *BOARD_ORDER]
    whos = ["", *[w for w in waiting.WaitingOn.values if w != waiting.WaitingOn.NOBODY]]
    alerts, sorts = ["", *board.ALERTS], list(board.SORTS)
    by_state = [
        {"state": state, "waiting": who, "overdue": overdue}
        for state, who, overdue in itertools.product(states, whos, (False, True))
    ]
    for i, data in enumerate(by_state):
        data.update(alert=alerts[i % len(alerts)], sort=sorts[i % len(sorts)])
    by_badge = [
        {"alert": alert, "sort": sort, "waiting": whos[i % len(whos)]}
        for i, (alert, sort) in enumerate(itertools.product(alerts, sorts))
    ]
    return by_state + by_badge


def _sql(query: Any) -> Any:
    try:
        return query.query.sql_with_params()
    except EmptyResultSet:  # filter_waiting_on(...) found no rule for this state: .none()
        return "nothing"


FACT_NAMES = list(waiting.FACTS)


def _rows(query: Any) -> list[tuple[Any, ...]]:
    return list(query.values_list("pk", *FACT_NAMES))


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=1, hours=5)])
def test_every_filter_and_sort_gives_the_same_sql_and_rows(later: timedelta) -> None:
    _world()
    now = timezone.now() + later
    cases = Case.objects.select_related("patient", "physician")
    for data in _combinations():
        fast = board.board_queryset(cases, data, now, precompiled=True)
        plain = board.board_queryset(cases, data, now, precompiled=False)
        assert _sql(fast) == _sql(plain), data
        assert _rows(fast) == _rows(plain), data
    assert all(
        precompiled.is_cached(Case, (name, provider, None))
        for name, provider in waiting._providers.items()
        if name not in waiting._inputs
    ), "a fact's SQL could not be compiled once: see planning.pathway.precompiled"
    facts = waiting._facts_key()
    assert all(
        precompiled.is_cached(Case, ("waiting_on", who, None, facts), filtered=True)
        for who in waiting.WaitingOn.values
        if who != waiting.WaitingOn.NOBODY
    ), "a waiting-on filter's SQL could not be compiled once"


def test_searches_and_physicians_give_the_same_sql(physician) -> None:
    _world()
    now = timezone.now()
    cases = Case.objects.select_related("patient", "physician")
    for data in (
        {"q": "alex mor"},
        {"q": "1971-03-04"},
        {"physician": "none", "waiting": "nurse"},
        {"physician": str(physician.pk), "overdue": True, "page": 2},
    ):
        fast = board.board_queryset(cases, data, now, precompiled=True)
        plain = board.board_queryset(cases, data, now, precompiled=False)
        assert _sql(fast) == _sql(plain), data
        assert _rows(fast) == _rows(plain), data


def test_a_clinic_limit_changes_the_board_on_the_next_request(admin_staff) -> None:
    case = CaseFactory(state=S.ACTIVE)
    make.session(
        case,
        on=timezone.localdate(),
        predose_recorded_at=timezone.now(),
        pre_systolic=150,
        pre_diastolic=85,
    )
    clinic = ClinicSettings.current()
    clinic.predose_systolic_max = 160
    clinic.save()
    client = Client()
    client.force_login(admin_staff)

    def physician_rows() -> str:
        html = client.get(reverse("pathway:case_board"), {"waiting": "physician"}).content
        return html.decode()

    assert f'data-case="{case.pk}"' not in physician_rows()  # 150/85 within 160/90
    clinic = ClinicSettings.current()
    clinic.predose_systolic_max = 140
    clinic.save()
    assert f'data-case="{case.pk}"' in physician_rows()  # now above: clearance asked for
    html = client.get(reverse("pathway:case_board")).content.decode()
    row = html[html.index(f'data-case="{case.pk}"') :].split("</tr>")[0]
    assert "Clear or refuse the pre-dose vitals" in row


def test_parameters_that_are_not_now_are_not_cached() -> None:
    precompiled.forget()
    due = FollowUp.objects.filter(case_id=OuterRef("pk"))

    def tomorrow(now: Any) -> Any:
        return Exists(due.filter(due_at__lte=now + timedelta(days=1)))

    def plain(now: Any) -> Any:
        return Exists(due.filter(due_at__lte=now))

    now = timezone.now()
    assert not isinstance(
        precompiled.precompiled(Case, "tomorrow", tomorrow, now), precompiled.CompiledSQL
    )
    assert not precompiled.is_cached(Case, "tomorrow")
    compiled = precompiled.precompiled(Case, "plain", plain, now)
    assert isinstance(compiled, precompiled.CompiledSQL)
    plain_sql = Case.objects.annotate(x=plain(now)).query.sql_with_params()[1]
    assert compiled.params == list(plain_sql)  # `now` in the form the database adapter gives it


def test_compiled_sql_refuses_to_serve_in_a_subquery() -> None:
    case = CaseFactory(state=S.ACTIVE)
    make.followup(case, due_at=timezone.now())
    facts = waiting.with_facts(Case.objects.all(), now=timezone.now(), precompiled=True)
    with pytest.raises(NotSupportedError):
        list(FollowUp.objects.filter(case__in=facts.filter(open_alerts=0).values("pk")))
    plain = waiting.with_facts(Case.objects.all(), now=timezone.now())
    assert FollowUp.objects.filter(case__in=plain.filter(open_alerts=0).values("pk")).count() == 1
