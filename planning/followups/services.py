"""Follow-ups: generated from the approved plan, added by staff, completed by patients or staff.

Generated follow-ups carry a key built from the case, the kind and the date, so regenerating
after an amendment never duplicates one: keys still wanted are kept, new ones are added, and
open ones no longer wanted are cancelled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core.dates import clinic_language
from core.dates import day as clinic_day
from core.errors import AccessDenied, NotFound, ValidationFailed
from core.models import User
from core.validators import REASON_MAX, check_text
from planning.followups.models import OPEN_STATUSES, FollowUp, FollowUpKind, FollowUpStatus
from planning.pathway.audit import audit_case
from planning.pathway.models import Case
from planning.treatment.models import DosingPlan, TreatmentSession

REMINDER_HOUR = 10  # local time a dated follow-up becomes due


@dataclass(frozen=True)
class Wanted:
    key: str
    kind: str
    due_at: datetime
    window: timedelta
    title: str


def _at(day: date, hour: int = REMINDER_HOUR) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _stored_day(day: date) -> str:
    """A day inside a stored title: in the clinic's language, whoever's request writes it."""
    with clinic_language():
        return clinic_day(day)


def wanted_for_plan(plan: DosingPlan, session_dates: list[date]) -> list[Wanted]:
    """The follow-ups an approved plan calls for (pure: dates in, rows out)."""
    if not session_dates:
        return []
    case_id, first, last = plan.case_id, min(session_dates), max(session_dates)
    wanted = [
        Wanted(
            f"case:{case_id}:check_in:{day}",
            FollowUpKind.CHECK_IN,
            _at(day + timedelta(days=1)),
            timedelta(days=1),
            f"Check-in after the {_stored_day(day)} session",
        )
        for day in session_dates
    ]
    wanted.append(
        Wanted(
            f"case:{case_id}:bp_recheck:{first}",
            FollowUpKind.BP_RECHECK,
            _at(first + timedelta(days=1)),
            timedelta(days=2),
            "Blood-pressure re-check after the first session",
        )
    )
    week = first + timedelta(days=7)
    while week <= last + timedelta(days=7):
        wanted.append(
            Wanted(
                f"case:{case_id}:phq9:{week}",
                FollowUpKind.PHQ9,
                _at(week),
                timedelta(days=3),
                f"Weekly PHQ-9 ({week})",
            )
        )
        week += timedelta(days=7)
    review = last + timedelta(days=7)
    wanted.append(
        Wanted(
            f"case:{case_id}:re_evaluation:{review}",
            FollowUpKind.RE_EVALUATION,
            _at(review),
            timedelta(days=7),
            "Re-evaluation after the induction series",
        )
    )
    return wanted


def followups_generate(*, plan: DosingPlan) -> list[FollowUp]:
    """Bring the case's future generated follow-ups in line with this plan (idempotent)."""
    dates = list(
        plan.treatment_sessions.filter(status=TreatmentSession.Status.SCHEDULED).values_list(
            "scheduled_for", flat=True
        )
    )
    wanted = {w.key: w for w in wanted_for_plan(plan, dates)}
    now = timezone.now()
    stale = plan.case.followups.filter(generated=True, status__in=OPEN_STATUSES, due_at__gt=now)
    stale.exclude(key__in=wanted).exclude(kind=FollowUpKind.REMS_FORM).update(
        status=FollowUpStatus.CANCELLED
    )
    existing = set(FollowUp.objects.filter(key__in=wanted).values_list("key", flat=True))
    FollowUp.objects.filter(key__in=wanted, status=FollowUpStatus.CANCELLED, due_at__gt=now).update(
        status=FollowUpStatus.SCHEDULED
    )
    created = FollowUp.objects.bulk_create(
        [
            FollowUp(
                case=plan.case,
                kind=w.kind,
                key=w.key,
                due_at=w.due_at,
                title=w.title,
                window_ends_at=w.due_at + w.window,
            )
            for k, w in wanted.items()
            if k not in existing
        ],
        ignore_conflicts=True,
    )
    audit_case(
        action="followup.generate",
        actor_label="system",
        case=plan.case,
        target=f"dosingplan:{plan.pk}",
        data={"wanted": len(wanted), "created": len(created)},
    )
    return created


def followups_cancel_open(*, case: Case, why: str, sessions_only: bool = False) -> int:
    """Cancel the case's open follow-ups. `sessions_only`: just those generated for its
    sessions (not the REMS form tasks of doses already given, nor ones staff added), which
    `followups_generate` brings back, if still due, when treatment resumes."""
    rows = case.followups.filter(status__in=OPEN_STATUSES)
    if sessions_only:
        rows = rows.filter(generated=True).exclude(kind=FollowUpKind.REMS_FORM)
    count = rows.update(status=FollowUpStatus.CANCELLED, claimed_until=None)
    if count:
        audit_case(
            action="followup.suspend" if sessions_only else "followup.cancel_all",
            actor_label="system",
            case=case,
            data={"count": count, "why": why},
        )
    return count


def followup_rems(*, session: TreatmentSession) -> FollowUp | None:
    """A staff task two days before the REMS monitoring form is due."""
    if session.rems_due_at is None:
        return None
    followup, _ = FollowUp.objects.get_or_create(
        key=f"session:{session.pk}:rems_form",
        defaults={
            "case": session.case,
            "kind": FollowUpKind.REMS_FORM,
            "due_at": session.rems_due_at - timedelta(days=2),
            "window_ends_at": session.rems_due_at,
            "title": f"Submit the REMS monitoring form for session {session.number}",
        },
    )
    return followup


def _require_manager(actor: User) -> None:
    if not actor.has_perm("planning.manage_followups"):
        raise AccessDenied("Your role may not manage follow-ups.")


def followup_add(
    *,
    case: Case,
    actor: User,
    kind: str,
    due_at: datetime,
    window_hours: int,
    title: str,
    note: str = "",
) -> FollowUp:
    _require_manager(actor)
    if case.is_final:
        raise ValidationFailed({"due_at": "The case is closed."})
    if due_at < timezone.now() - timedelta(minutes=5):
        raise ValidationFailed({"due_at": "The due time is in the past."})
    with transaction.atomic():
        followup = FollowUp.objects.create(
            case=case,
            kind=kind,
            key=f"manual:{uuid.uuid4().hex}",
            due_at=due_at,
            window_ends_at=due_at + timedelta(hours=window_hours),
            title=title.strip(),
            note=note.strip(),
            generated=False,
        )
        audit_case(
            action="followup.add",
            actor=actor,
            case=case,
            target=f"followup:{followup.pk}",
            data={"kind": kind, "due_at": due_at.isoformat()},
        )
    return followup


def _open_followup(case: Case, followup_id: int) -> FollowUp:
    followup = (
        FollowUp.objects.select_for_update()
        .filter(case=case, pk=followup_id, status__in=OPEN_STATUSES)
        .first()
    )
    if followup is None:
        raise NotFound("No such open follow-up on this case.")
    return followup


def followup_reschedule(*, case: Case, followup_id: int, actor: User, due_at: datetime) -> FollowUp:
    _require_manager(actor)
    if due_at < timezone.now() - timedelta(minutes=5):
        raise ValidationFailed({"due_at": "The new due time is in the past."})
    with transaction.atomic():
        followup = _open_followup(case, followup_id)
        window = followup.window_ends_at - followup.due_at
        before = followup.due_at
        followup.due_at, followup.window_ends_at = due_at, due_at + window
        followup.status, followup.claimed_until = FollowUpStatus.SCHEDULED, None
        followup.save()
        audit_case(
            action="followup.reschedule",
            actor=actor,
            case=case,
            target=f"followup:{followup.pk}",
            data={"from": before.isoformat(), "to": due_at.isoformat()},
        )
    return followup


def followup_complete(*, case: Case, followup_id: int, actor: User, note: str = "") -> FollowUp:
    """Staff mark a task done (a check-in call made, a form submitted)."""
    _require_manager(actor)
    check_text(note=(note, REASON_MAX))
    with transaction.atomic():
        followup = _open_followup(case, followup_id)
        followup.status, followup.completed_at = FollowUpStatus.COMPLETED, timezone.now()
        followup.completed_by = actor
        if note.strip():
            followup.note = (followup.note + "\n" + note.strip()).strip()
        followup.save()
        audit_case(
            action="followup.complete",
            actor=actor,
            case=case,
            target=f"followup:{followup.pk}",
        )
    return followup


def followup_rems_complete(*, session: TreatmentSession, actor: User | None) -> int:
    """The REMS form of this session was submitted: its staff follow-up is done."""
    return (
        FollowUp.objects.filter(key=f"session:{session.pk}:rems_form")
        .exclude(status=FollowUpStatus.COMPLETED)
        .update(status=FollowUpStatus.COMPLETED, completed_at=timezone.now(), completed_by=actor)
    )
