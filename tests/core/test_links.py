"""Patient links (core.links): one set of rules for consent and follow-up links.

The lockout test runs on PostgreSQL with real concurrent guesses, each thread on its own
database connection, for both kinds of link through each kind's own entry point."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from consent.services import consent_dob_check, consent_request_create
from core.links import (
    DobResult,
    LinkClosedError,
    link_closed_reason,
    link_create,
    link_dob_check,
    link_for_token,
    link_require_open,
    link_revoke,
)
from core.models import AuditEntry, ClinicSettings, LinkPurpose, PatientLink
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.followups.models import FollowUp
from planning.followups.sweep import sweep
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory

BORN = date(1985, 5, 20)
WRONG = date(1999, 1, 1)


def _consent_link(case: Any) -> tuple[int, Callable[[date], DobResult]]:
    consent_demo_document_seed(actor=make_user(Role.CLINIC_ADMIN, is_staff=True))
    req, _ = consent_request_create(case_id=case.pk, actor=make_user(Role.ADMIN_STAFF))
    return req.link_id, lambda born: consent_dob_check(request_id=req.pk, date_of_birth=born)


def _followup_link(case: Any) -> tuple[int, Callable[[date], DobResult]]:
    now = timezone.now()
    followup = FollowUp.objects.create(
        case=case,
        kind="phq9",
        key=f"test:{case.pk}:phq9",
        due_at=now - timedelta(minutes=1),
        window_ends_at=now + timedelta(days=1),
    )
    sweep()  # decides the reminder and makes the link
    followup.refresh_from_db()
    assert followup.link_id is not None
    link_id = followup.link_id
    return link_id, lambda born: link_dob_check(link_id=link_id, date_of_birth=born)


KINDS = {"consent": _consent_link, "followup": _followup_link}


def _case() -> Any:
    return CaseFactory(
        state=CaseState.CONSENT_PENDING,
        patient__date_of_birth=BORN,
        patient__email="guess@example.invalid",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_concurrent_wrong_dates_never_pass_the_limit(kind: str) -> None:
    ClinicSettings.objects.update_or_create(pk=1, defaults={"link_max_dob_attempts": 3})
    link_id, check = KINDS[kind](_case())
    threads_n = 16
    barrier = threading.Barrier(threads_n)
    results: list[DobResult] = []
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            barrier.wait(timeout=20)
            results.append(check(WRONG))
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=guess) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    link = PatientLink.objects.get(pk=link_id)
    assert link.dob_failures == 3 and link.locked_at is not None
    assert len(results) == threads_n and not any(r.ok for r in results)
    assert sum(1 for r in results if r.closed_reason == "") == 2  # counted, not yet locked
    target = f"link:{link_id}"
    assert AuditEntry.objects.filter(target=target, action__endswith=".dob_failed").count() == 3
    assert AuditEntry.objects.filter(target=target, action__endswith=".locked").count() == 1
    assert not check(BORN).ok  # the right date no longer opens a locked link


# ---- SQLite unit tests ---------------------------------------------------------------------


@pytest.fixture
def link(db: None) -> tuple[PatientLink, str]:
    case = _case()
    return link_create(
        purpose=LinkPurpose.FOLLOWUP,
        patient=case.patient,
        case_id=case.pk,
        expires_at=timezone.now() + timedelta(days=1),
    )


def test_only_the_hash_is_stored_and_the_purpose_must_match(link) -> None:
    row, token = link
    assert token not in row.token_sha256 and len(row.token_sha256) == 64
    assert link_for_token(token, purpose=LinkPurpose.FOLLOWUP) == row
    assert link_for_token(token, purpose=LinkPurpose.CONSENT) is None
    assert link_for_token("short", purpose=LinkPurpose.FOLLOWUP) is None


def test_wrong_dates_lock_at_the_clinic_limit(link) -> None:
    row, _ = link
    results = [link_dob_check(link_id=row.pk, date_of_birth=WRONG) for _ in range(6)]
    assert [r.tries_left for r in results[:5]] == [4, 3, 2, 1, 0]
    assert [r.locked for r in results] == [False, False, False, False, True, True]
    row.refresh_from_db()
    assert row.dob_failures == 5 and link_closed_reason(row) == "locked"
    assert not link_dob_check(link_id=row.pk, date_of_birth=BORN).ok
    assert AuditEntry.objects.filter(action="followup.link.locked").count() == 1


def test_right_date_opens_and_counts_nothing(link) -> None:
    row, _ = link
    assert link_dob_check(link_id=row.pk, date_of_birth=WRONG).tries_left == 4
    assert link_dob_check(link_id=row.pk, date_of_birth=BORN).ok
    row.refresh_from_db()
    assert row.dob_failures == 1 and row.locked_at is None
    assert AuditEntry.objects.filter(action="followup.link.dob_ok", target=row.audit_target)


def test_expired_link_is_refused_before_comparing(link) -> None:
    row, _ = link
    PatientLink.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    result = link_dob_check(link_id=row.pk, date_of_birth=BORN)
    assert not result.ok and result.closed_reason == "expired"
    row.refresh_from_db()
    assert row.dob_failures == 0
    with pytest.raises(LinkClosedError, match="expired") as refused:
        link_require_open(row)
    assert refused.value.status == 410


def test_revoked_link_is_refused_and_revoking_twice_keeps_the_first(link, admin_staff) -> None:
    row, _ = link
    first = link_revoke(link_id=row.pk, actor=admin_staff, reason="wrong patient")
    again = link_revoke(link_id=row.pk, actor=None, reason="again")
    assert again.revoked_at == first.revoked_at and again.revoked_by == admin_staff
    assert link_dob_check(link_id=row.pk, date_of_birth=BORN).closed_reason == "revoked"
    assert AuditEntry.objects.filter(action="followup.link.revoked").count() == 1
    row.refresh_from_db()
    with pytest.raises(LinkClosedError) as refused:
        link_require_open(row)
    assert refused.value.reason == "revoked"


def test_locked_link_answers_403(link) -> None:
    row, _ = link
    PatientLink.objects.filter(pk=row.pk).update(locked_at=timezone.now())
    row.refresh_from_db()
    with pytest.raises(LinkClosedError) as refused:
        link_require_open(row)
    assert refused.value.status == 403 and "call the clinic" in refused.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", ["consent", "followup"])
def test_a_link_that_locks_tells_the_cases_physician_and_on_call(purpose: str) -> None:
    from core.models import ClinicSettings, LinkPurpose, OutboundMessage
    from core.roles import Role
    from tests.conftest import make_user

    ClinicSettings.objects.update_or_create(pk=1, defaults={"on_call_email": "oncall@x.invalid"})
    physician = make_user(Role.PHYSICIAN, email="dr@x.invalid")
    case = CaseFactory(physician=physician)
    link, _ = link_create(
        purpose=LinkPurpose(purpose),
        patient=case.patient,
        case_id=case.pk,
        expires_at=timezone.now() + timedelta(days=1),
    )
    wrong = case.patient.date_of_birth.replace(year=1900)
    for _ in range(ClinicSettings.current().link_max_dob_attempts):
        link_dob_check(link_id=link.pk, date_of_birth=wrong)
    notices = OutboundMessage.objects.filter(template="staff_notice", case_id=case.pk)
    assert sorted(notices.values_list("to", flat=True)) == ["dr@x.invalid", "oncall@x.invalid"]
    assert "locked" in notices.first().subject
