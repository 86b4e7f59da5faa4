"""The case board: who a case waits on, each filter, search, sort and page, closed cases kept
out of the hot path, and a query count that does not grow with the cases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planning.pathway import board, waiting
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.pathway.waiting import WaitingOn, waiting_for_case
from tests.factories import CaseFactory, PatientFactory
from tests.planning.pathway import workspace_helpers as make

pytestmark = pytest.mark.django_db
S = CaseState
# Session, user with roles, permissions and idle minutes (core.auth_backend), clinic settings
# (once per request), physicians for the filter, the page of rows, the open states' counts, the
# follow-ups card (one: its count is a window over the lines). An unchanged session is not
# written (core.sessions).
BOARD_QUERIES = 7


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(user, **params) -> list[int]:
    response = _client(user).get(reverse("pathway:case_board"), params)
    assert response.status_code == 200, response.content[:500]
    return [
        int(pk)
        for pk in re.findall(
            r'data-testid="board-row" data-case="(\d+)"', response.content.decode()
        )
    ]


def _case(state: str, **kwargs) -> Case:
    return CaseFactory(state=state, **kwargs)


def _days_ago(n: int):
    return timezone.now() - timedelta(days=n)


def _today(**fields):
    return lambda c: make.session(c, on=timezone.localdate(), **fields)


def _later(c):
    return make.session(c, on=timezone.localdate() + timedelta(days=3))


HIGH_BP = {"pre_systolic": 190, "pre_diastolic": 95}


def _asked(c):
    return make.session(c, on=timezone.localdate(), predose_recorded_at=timezone.now(), **HIGH_BP)


def _cleared(c):
    now = timezone.now()
    return make.session(
        c, on=timezone.localdate(), predose_recorded_at=now, bp_clearance_for="190/95", **HIGH_BP
    )


def _rems(c):
    soon = timezone.now() + timedelta(days=6)
    return make.session(c, on=timezone.localdate(), status="signed_off", rems_due_at=soon)


def _followup_due(c):
    _later(c)
    make.followup(c, due_at=_days_ago(1))


def _reminded(c):
    soon = timezone.now() + timedelta(hours=1)
    make.followup(c, due_at=soon, status="reminded", kind="phq9")


def _locked(c):
    make.consent_request(c, locked=True)


def _expired(c):
    make.consent_request(c, expires_in=timedelta(hours=-1))


def _decided(c):
    make.alert(c, decided=True)


N, P, PH, A = WaitingOn.NURSE, WaitingOn.PATIENT, WaitingOn.PHYSICIAN, WaitingOn.ADMIN_STAFF
# (name, state, setup, who, step): every rule of planning.pathway.waiting, in its order.
WAITING = [
    ("closed", S.COMPLETED, None, WaitingOn.NOBODY, "closed"),
    ("alert first", S.ACTIVE, make.alert, PH, "review_alerts"),
    ("decided alert ignored", S.CONSULTATION, _decided, N, "record_consultation"),
    ("clearance", S.ACTIVE, _asked, PH, "clear_vitals"),
    ("cleared", S.ACTIVE, _cleared, N, "run_session"),
    ("on hold", S.ON_HOLD, None, PH, "decide_hold"),
    ("consultation", S.CONSULTATION, None, N, "record_consultation"),
    ("evaluation", S.EVALUATION, None, N, "record_evaluation"),
    ("medication review", S.MEDICATION_REVIEW, None, N, "review_medications"),
    ("invitation locked", S.CONSENT_PENDING, _locked, A, "resend_invitation"),
    ("invitation expired", S.CONSENT_PENDING, _expired, A, "resend_invitation"),
    ("invitation sent", S.CONSENT_PENDING, make.consent_request, P, "sign_consent"),
    ("invitation not sent", S.CONSENT_PENDING, None, A, "send_invitation"),
    ("plan drafted", S.PLAN_PENDING, make.plan, PH, "approve_plan"),
    ("no plan", S.PLAN_PENDING, None, PH, "draft_plan"),
    ("follow-up due", S.ACTIVE, _followup_due, N, "followup_due"),
    ("session today", S.ACTIVE, _today(), N, "run_session"),
    ("rems", S.ACTIVE, _rems, A, "submit_rems"),
    ("patient reminded", S.ACTIVE, _reminded, P, "answer_questionnaire"),
    ("next session later", S.ACTIVE, _later, P, "attend_session"),
    ("nothing left", S.ACTIVE, None, N, "complete_treatment"),
]


@pytest.mark.parametrize(
    ("name", "state", "setup", "who", "step"), WAITING, ids=[w[0] for w in WAITING]
)
def test_waiting_on(name: str, state: str, setup: Callable | None, who: str, step: str) -> None:
    case = _case(state)
    if setup:
        setup(case)
    waiting = waiting_for_case(case)
    assert (waiting.who, waiting.step) == (who, step)
    assert waiting.label


@pytest.mark.parametrize(
    ("name", "state", "setup", "who", "step"), WAITING, ids=[w[0] for w in WAITING]
)
def test_the_sql_filter_and_the_rows_read_the_rules_alike(
    name: str, state: str, setup: Callable | None, who: str, step: str
) -> None:
    """The rules serve twice: as SQL (filtering the board on who acts next) and read in
    Python from a row's facts (what the row shows). Both readings give the same answer."""
    case = _case(state)
    if setup:
        setup(case)
    now = timezone.now()
    cases = waiting.with_waiting(Case.objects.filter(pk=case.pk), now=now)
    row = cases.get()
    assert waiting.waiting_of(row, now=now).who == who
    for candidate in WaitingOn.values:
        for states in (None, {state}):  # all rules, or only those that can hold in its state
            matched = waiting.filter_waiting_on(cases, candidate, now=now, states=states)
            assert matched.exists() == (candidate == who), (name, candidate, states)


def test_rules_that_cannot_hold_in_the_state_are_left_out_of_the_filter() -> None:
    from django.db.models import Q

    assert waiting.required_states(Q(state="active") & Q(open_alerts__gt=0)) == {"active"}
    assert waiting.required_states(Q(state__in=["a", "b"], x=1) & Q(state="b")) == {"b"}
    assert waiting.required_states(Q(open_alerts__gt=0)) is None
    assert waiting.required_states(Q(state="a") | Q(state="b")) is None
    now = timezone.now()
    cases = waiting.with_waiting(Case.objects.all(), now=now)
    pruned = waiting.filter_waiting_on(cases, "nurse", now=now, states={"active"})
    full = waiting.filter_waiting_on(cases, "nurse", now=now)
    assert str(pruned.query).count("WHEN") < str(full.query).count("WHEN") / 2


def test_a_rule_reads_lookups_and_negation_in_python() -> None:
    from django.db.models import Q

    class Row:
        state, n, when = "active", 2, None

    assert waiting.q_holds(Q(state="active", n__gt=1), Row())
    assert not waiting.q_holds(Q(state="active") & Q(n__lte=1), Row())
    assert waiting.q_holds(Q(n__in=[1, 2]) | Q(when__lte=3), Row())
    assert not waiting.q_holds(Q(when__lte=3), Row())  # NULL compares false, as in SQL
    assert waiting.q_holds(~Q(when__isnull=False), Row())
    assert waiting.q_holds(Q(when__isnull=True), Row())


def test_board_lists_columns_and_waiting(admin_staff, physician) -> None:
    case = _case(
        S.PLAN_PENDING, physician=physician, patient__given_name="Ines", patient__mrn="MRN-77"
    )
    make.plan(case)
    Case.objects.filter(pk=case.pk).update(state_changed_at=_days_ago(4))
    html = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    row = html[html.index(f'data-case="{case.pk}"') :].split("</tr>")[0]
    for text in (
        "Ines",
        "MRN-77",
        "Plan pending",
        "Okafor",
        "Physician",
        "Approve the dosing plan",
    ):
        assert text in row
    assert re.search(r'data-testid="days-in-state">4<', row)


def test_board_next_due_and_overdue_days(admin_staff) -> None:
    case = _case(S.ACTIVE)
    make.session(case, on=timezone.localdate() - timedelta(days=3))
    html = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    assert "Session" in html and "3 days overdue" in html


def test_badges(admin_staff) -> None:
    case = _case(S.CONSENT_PENDING)
    make.alert(case)
    make.override(case)
    make.consent_request(case, locked=True)
    make.failed_message(case)
    active = _case(S.ACTIVE)
    make.session(
        active,
        on=timezone.localdate(),
        status="signed_off",
        rems_due_at=timezone.now() + timedelta(days=2),
    )
    html = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    for badge in (
        "1 open safety alert",
        "Contraindication overridden",
        "Link locked or expired",
        "1 message failed",
        "REMS form due",
    ):
        assert badge in html
    assert 'data-testid="alert-badge"' in html


def test_filter_by_state_and_closed_cases_only_when_asked(admin_staff) -> None:
    evaluation, active, done = _case(S.EVALUATION), _case(S.ACTIVE), _case(S.COMPLETED)
    assert set(_rows(admin_staff)) == {evaluation.pk, active.pk}
    assert _rows(admin_staff, state="evaluation") == [evaluation.pk]
    assert _rows(admin_staff, state="closed") == [done.pk]
    assert _rows(admin_staff, state="completed") == [done.pk]


def test_counts_open_states_only(admin_staff) -> None:
    CaseFactory.create_batch(3, state=S.EVALUATION)
    _case(S.WITHDRAWN)
    html = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    assert re.search(r'data-testid="count-evaluation">3<', html)
    assert re.search(r'data-testid="count-active">0<', html)
    assert 'data-testid="count-withdrawn"' not in html


def test_filter_by_physician(admin_staff, physician) -> None:
    mine, unassigned = _case(S.EVALUATION, physician=physician), _case(S.EVALUATION)
    assert _rows(admin_staff, physician=physician.pk) == [mine.pk]
    assert _rows(admin_staff, physician="none") == [unassigned.pk]
    assert (
        _client(admin_staff).get(reverse("pathway:case_board"), {"physician": "x"}).status_code
        == 400
    )


def test_filter_by_waiting_on(admin_staff) -> None:
    nurse, patient, admin = (
        _case(S.CONSULTATION),
        _case(S.CONSENT_PENDING),
        _case(S.CONSENT_PENDING),
    )
    make.consent_request(patient)
    physician = _case(S.ON_HOLD)
    assert _rows(admin_staff, waiting="nurse") == [nurse.pk]
    assert _rows(admin_staff, waiting="patient") == [patient.pk]
    assert _rows(admin_staff, waiting="admin_staff") == [admin.pk]
    assert _rows(admin_staff, waiting="physician") == [physician.pk]


@pytest.mark.parametrize("badge", sorted(board.ALERTS))
def test_filter_by_badge(admin_staff, badge: str) -> None:
    plain = _case(S.ACTIVE)
    flagged = _case(S.ACTIVE)
    {
        "safety": make.alert,
        "override": make.override,
        "rems": _rems,
        "link": _expired,
        "message": make.failed_message,
    }[badge](flagged)
    assert _rows(admin_staff, alert=badge) == [flagged.pk]
    assert plain.pk in _rows(admin_staff)


def test_filter_overdue(admin_staff) -> None:
    late_session, late_followup, on_time = _case(S.ACTIVE), _case(S.ACTIVE), _case(S.ACTIVE)
    make.session(late_session, on=timezone.localdate() - timedelta(days=1))
    make.followup(late_followup, due_at=_days_ago(2))
    make.session(on_time, on=timezone.localdate())
    assert set(_rows(admin_staff, overdue="on")) == {late_session.pk, late_followup.pk}


def test_search_by_name_record_number_and_birth_date(admin_staff) -> None:
    ines = _case(
        S.EVALUATION,
        patient=PatientFactory(
            given_name="Ines", family_name="Moreau", mrn="QX-100", date_of_birth=date(1971, 3, 4)
        ),
    )
    other = _case(
        S.EVALUATION, patient=PatientFactory(given_name="Bo", family_name="Lund", mrn="ZZ-200")
    )
    assert _rows(admin_staff, q="moreau") == [ines.pk]
    assert _rows(admin_staff, q="ines mor") == [ines.pk]
    assert _rows(admin_staff, q="qx-1") == [ines.pk]
    assert _rows(admin_staff, q="1971-03-04") == [ines.pk]
    assert _rows(admin_staff, q="04/03/1971") == [ines.pk]
    assert _rows(admin_staff, q="lund") == [other.pk]
    assert _rows(admin_staff, q="nobody") == []


def test_sorts(admin_staff, physician) -> None:
    from tests.factories import UserFactory

    zed = UserFactory(first_name="Zed", last_name="Zulu")
    old = _case(S.ACTIVE, patient=PatientFactory(family_name="Young", mrn="B-2"), physician=zed)
    new = _case(
        S.CONSULTATION, patient=PatientFactory(family_name="Adams", mrn="C-3"), physician=physician
    )
    Case.objects.filter(pk=old.pk).update(state_changed_at=_days_ago(9))
    make.followup(new, due_at=_days_ago(1))
    assert _rows(admin_staff) == [old.pk, new.pk]
    assert _rows(admin_staff, sort="age") == [old.pk, new.pk]
    assert _rows(admin_staff, sort="recent") == [new.pk, old.pk]
    assert _rows(admin_staff, sort="name") == [new.pk, old.pk]
    assert _rows(admin_staff, sort="mrn") == [old.pk, new.pk]
    assert _rows(admin_staff, sort="state") == [new.pk, old.pk]
    assert _rows(admin_staff, sort="physician") == [new.pk, old.pk]
    assert _rows(admin_staff, sort="due") == [new.pk, old.pk]
    bad = _client(admin_staff).get(reverse("pathway:case_board"), {"sort": "bogus", "q": "x" * 101})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert html.count('class="errorlist') == 2 and "Select a valid choice" in html


def test_pagination(admin_staff) -> None:
    CaseFactory.create_batch(board.PER_PAGE + 2, state=S.EVALUATION)
    first, second = _rows(admin_staff), _rows(admin_staff, page=2)
    assert len(first) == board.PER_PAGE and len(second) == 2 and not set(first) & set(second)
    html = (
        _client(admin_staff)
        .get(reverse("pathway:case_board"), {"state": "evaluation"})
        .content.decode()
    )
    assert "state=evaluation&amp;page=2" in html


def test_htmx_request_gets_the_table_only(admin_staff) -> None:
    case = _case(S.EVALUATION)
    response = _client(admin_staff).get(
        reverse("pathway:case_board"), {"state": "evaluation"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'data-case="{case.pk}"' in html and "<html" not in html
    assert "HX-Request" in response["Vary"]
    page = _client(admin_staff).get(reverse("pathway:case_board"), {"state": "evaluation"})
    full = page.content.decode()
    assert "<html" in full and 'hx-target="#board-results"' in full and "HX-Request" in page["Vary"]


def _fill(n: int, physician) -> None:
    """n cases spread over every state, each with facts that feed the board's annotations."""
    states = list(CaseState.values)
    for i in range(n):
        case = _case(states[i % len(states)], physician=physician if i % 2 else None)
        make.alert(case)
        make.failed_message(case)
        make.followup(case, due_at=_days_ago(1))
        make.session(case, on=timezone.localdate())


def test_board_query_count_is_fixed(admin_staff, physician, django_assert_max_num_queries) -> None:
    client = _client(admin_staff)
    _fill(3, physician)
    client.get(reverse("pathway:case_board"))  # warm the clinic settings and sessions
    counts = []
    for extra in (0, 27):
        _fill(extra, physician)
        for params in ({}, {"overdue": "on", "waiting": "physician", "q": "alex", "sort": "due"}):
            with django_assert_max_num_queries(BOARD_QUERIES) as captured:
                assert client.get(reverse("pathway:case_board"), params).status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_rows_escape_what_staff_typed(admin_staff) -> None:
    case = _case(
        S.EVALUATION,
        patient=PatientFactory(given_name="<b>Ines</b>", family_name="O'Neil", mrn="A&B-1"),
    )
    html = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    row = html[html.index(f'data-case="{case.pk}"') :].split("</tr>")[0]
    assert "&lt;b&gt;Ines&lt;/b&gt; O&#x27;Neil" in row and "A&amp;B-1" in row
    assert f'href="{reverse("pathway:case_detail", args=[case.pk])}"' in row
    assert "<b>" not in row


def test_the_follow_ups_card_counts_every_due_task_and_lists_the_oldest(admin_staff) -> None:
    from planning.followups.selectors import staff_tasks_due

    first, second = _case(S.ACTIVE), _case(S.ACTIVE)
    make.followup(first, due_at=_days_ago(2))
    make.followup(second, due_at=_days_ago(1), status="reminded", kind="phq9")
    make.followup(second, due_at=_days_ago(3), status="scheduled")  # not due yet: not a task
    html = _client(admin_staff).get(reverse("pathway:case_board")).content.decode()
    card = html[html.index('data-testid="tasks"') :].split("</section>")[0]
    assert re.search(r'Follow-ups due <span class="count">2<', card)
    assert card.index(first.patient.full_name) < card.index(second.patient.full_name)
    assert f'href="/cases/{first.pk}/#followups"' in card
    assert "Next-day check-in" in card and "— due (task on the staff board), due " in card
    assert "PHQ-9 questionnaire" in card and "— reminded (patient e-mailed)" in card
    tasks = staff_tasks_due(Case.objects.all(), limit=1)
    assert tasks["count"] == 2 and [t.case_id for t in tasks["items"]] == [first.pk]
    assert staff_tasks_due(Case.objects.none()) == {"count": 0, "items": []}
    assert staff_tasks_due(Case.objects.filter(pk=second.pk))["count"] == 1
