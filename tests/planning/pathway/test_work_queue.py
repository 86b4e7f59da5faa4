"""The work queues: each section's membership rules, who may open which queue, links to where
the work is done, and a query count that does not grow with the cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planning.pathway.states import CaseState
from tests.factories import CaseFactory
from tests.planning.pathway import workspace_helpers as make

pytestmark = pytest.mark.django_db
S = CaseState


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section(user, queue: str, key: str) -> list[int]:
    response = _client(user).get(reverse("pathway:work_queue"), {"queue": queue})
    assert response.status_code == 200
    html = response.content.decode()
    part = html.split(f'data-testid="queue-{key}"')[1].split("</section>")[0]
    return [int(pk) for pk in re.findall(r'data-testid="queue-item" data-case="(\d+)"', part)]


def _now():
    return timezone.now()


def test_physician_plans_to_approve(physician) -> None:
    drafted = CaseFactory(state=S.PLAN_PENDING)
    make.plan(drafted)
    CaseFactory(state=S.PLAN_PENDING)  # no plan yet
    approved = CaseFactory(state=S.ACTIVE)
    make.plan(approved, status="approved")
    assert _section(physician, "physician", "plans") == [drafted.pk]
    html = _client(physician).get(reverse("pathway:work_queue")).content.decode()
    assert reverse("treatment:plan_page", args=[drafted.pk]) in html


def test_physician_plans_to_write(physician) -> None:
    """A case at Plan pending without a draft waits on the physician too (the board says so)."""
    to_write = CaseFactory(state=S.PLAN_PENDING)
    amended = CaseFactory(state=S.PLAN_PENDING)  # an approved version, no new draft yet
    make.plan(amended, status="approved")
    drafted = CaseFactory(state=S.PLAN_PENDING)
    make.plan(drafted)
    CaseFactory(state=S.ACTIVE)
    assert _section(physician, "physician", "plans_to_write") == [to_write.pk, amended.pk]
    html = _client(physician).get(reverse("pathway:work_queue")).content.decode()
    assert "Write the dosing plan" in html
    assert reverse("treatment:plan_page", args=[to_write.pk]) in html


def test_physician_alerts_to_review(physician) -> None:
    open_alert, decided = CaseFactory(state=S.EVALUATION), CaseFactory(state=S.EVALUATION)
    make.alert(open_alert)
    make.alert(decided, decided=True)
    assert _section(physician, "physician", "alerts") == [open_alert.pk]


def test_physician_clearances_asked_for(physician) -> None:
    asked, cleared, normal = (CaseFactory(state=S.ACTIVE) for _ in range(3))
    now, today = _now(), timezone.localdate()
    make.session(asked, on=today, pre_systolic=190, pre_diastolic=95, predose_recorded_at=now)
    make.session(
        cleared,
        on=today,
        pre_systolic=190,
        pre_diastolic=95,
        predose_recorded_at=now,
        bp_clearance_for="190/95",
    )
    make.session(normal, on=today, pre_systolic=120, pre_diastolic=80, predose_recorded_at=now)
    assert _section(physician, "physician", "clearances") == [asked.pk]


def test_nurse_sessions_today(clinician) -> None:
    today, late, tomorrow, done = (CaseFactory(state=S.ACTIVE) for _ in range(4))
    day = timezone.localdate()
    make.session(today, on=day)
    make.session(late, on=day - timedelta(days=2))
    make.session(tomorrow, on=day + timedelta(days=1))
    make.session(done, on=day, status="signed_off")
    assert _section(clinician, "nurse", "sessions_today") == [late.pk, today.pk]


def test_nurse_followups_due(clinician) -> None:
    due, later, closed = (CaseFactory(state=S.ACTIVE) for _ in range(3))
    make.followup(due, due_at=_now() - timedelta(hours=2))
    make.followup(later, due_at=_now() + timedelta(days=2), status="scheduled")
    make.followup(closed, due_at=_now() - timedelta(hours=2), status="completed")
    assert _section(clinician, "nurse", "followups_due") == [due.pk]


def test_admin_invitations_to_send_or_resend(admin_staff) -> None:
    unsent, sent, locked = (CaseFactory(state=S.CONSENT_PENDING) for _ in range(3))
    make.consent_request(sent)
    make.consent_request(locked, locked=True)
    CaseFactory(state=S.EVALUATION)
    assert set(_section(admin_staff, "admin_staff", "invitations")) == {unsent.pk, locked.pk}


def test_admin_links_locked_or_expired(admin_staff) -> None:
    locked, expired, fine = (CaseFactory(state=S.CONSENT_PENDING) for _ in range(3))
    make.consent_request(locked, locked=True)
    make.consent_request(expired, expires_in=timedelta(hours=-1))
    make.consent_request(fine)
    assert set(_section(admin_staff, "admin_staff", "consent_links")) == {locked.pk, expired.pk}


def test_admin_rems_forms_due_within_seven_days(admin_staff) -> None:
    soon, far, submitted = (CaseFactory(state=S.ACTIVE) for _ in range(3))
    day, now = timezone.localdate(), _now()
    make.session(soon, on=day, status="signed_off", rems_due_at=now + timedelta(days=6))
    make.session(far, on=day, status="signed_off", rems_due_at=now + timedelta(days=9))
    make.session(
        submitted,
        on=day,
        status="signed_off",
        rems_due_at=now + timedelta(days=1),
        rems_submitted_at=now,
    )
    assert _section(admin_staff, "admin_staff", "rems") == [soon.pk]


def test_admin_failed_messages(admin_staff) -> None:
    failed, fine = CaseFactory(state=S.CONSENT_PENDING), CaseFactory(state=S.CONSENT_PENDING)
    make.failed_message(failed)
    assert _section(admin_staff, "admin_staff", "failed_messages") == [failed.pk]
    assert fine.pk not in _section(admin_staff, "admin_staff", "failed_messages")


def test_a_line_escapes_what_it_shows_and_dates_it(admin_staff) -> None:
    from core.models import OutboundMessage

    case = CaseFactory(state=S.CONSENT_PENDING, patient__given_name="<i>Ada</i>")
    message = make.failed_message(case)
    OutboundMessage.objects.filter(pk=message.pk).update(
        subject="Fees & <b>dates</b>", last_error='said "no"'
    )
    html = _client(admin_staff).get(reverse("pathway:work_queue"), {"queue": "admin_staff"})
    part = html.content.decode().split('data-testid="queue-failed_messages"')[1]
    line = part.split("</li>")[0]
    assert "&lt;i&gt;Ada&lt;/i&gt;" in line and "Fees &amp; &lt;b&gt;dates&lt;/b&gt;" in line
    assert "said &quot;no&quot;" in line and "<b>" not in line
    assert f'<span class="muted">{timezone.localtime(message.failed_at):%-d %b %Y}</span>' in line
    assert line.endswith('<span class="badge danger">overdue</span>')
    assert f'href="{reverse("core:outbox")}"' in line


def test_queue_access_by_role(admin_staff, clinician, physician, patient_user) -> None:
    url = reverse("pathway:work_queue")
    assert _client(admin_staff).get(url, {"queue": "physician"}).status_code == 403
    assert _client(clinician).get(url, {"queue": "physician"}).status_code == 403
    assert _client(clinician).get(url, {"queue": "nosuch"}).status_code == 404
    assert _client(physician).get(url, {"queue": "nurse"}).status_code == 200
    assert _client(patient_user).get(url).status_code == 403
    html = _client(admin_staff).get(url).content.decode()
    assert "Work queue: Admin staff" in html and f'href="{url}"' in html  # header link


def _fill(n: int) -> None:
    day, now = timezone.localdate(), _now()
    for _ in range(n):
        plan_case = CaseFactory(state=S.PLAN_PENDING)
        make.plan(plan_case)
        make.alert(plan_case)
        CaseFactory(state=S.PLAN_PENDING)  # a plan to write
        active = CaseFactory(state=S.ACTIVE)
        make.session(active, on=day, pre_systolic=190, pre_diastolic=95, predose_recorded_at=now)
        make.followup(active, due_at=now - timedelta(hours=1))
        consent = CaseFactory(state=S.CONSENT_PENDING)
        make.consent_request(consent, locked=True)
        make.failed_message(consent)
        rems = CaseFactory(state=S.ACTIVE)
        make.session(rems, on=day, status="signed_off", rems_due_at=now + timedelta(days=1))


# Two for every signed-in page (session; user with roles, permissions and the idle minutes; an
# unchanged session is not written), then one per section; clearances also read the clinic's
# limits, and failed messages read their cases in a second query.
QUEUE_QUERIES = {"physician": 7, "nurse": 5, "admin_staff": 8}


@pytest.mark.parametrize("queue", sorted(QUEUE_QUERIES))
def test_queue_query_count_is_fixed(
    queue, physician, admin_staff, django_assert_max_num_queries
) -> None:
    client = _client(admin_staff if queue == "admin_staff" else physician)
    _fill(2)
    client.get(reverse("pathway:work_queue"), {"queue": queue})
    counts = []
    for extra in (0, 18):
        _fill(extra)
        with django_assert_max_num_queries(QUEUE_QUERIES[queue]) as captured:
            response = client.get(reverse("pathway:work_queue"), {"queue": queue})
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="queue-item"') >= 2
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
