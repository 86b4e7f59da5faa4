"""The printable case summary: a sealed record (kind `case_summary`, owner = the case).

Patient, case state, the plan as the physician approved it, the sessions, PHQ-9/GAD-7 with their
charts and response/remission in words, each session's vital signs, and a summary of the audit
trail, rendered by the records pipeline (WeasyPrint -> PDF/A-3b -> seal -> verify -> store).

Idempotent per case version: the content is rendered first; when it is the same as the latest
record's (the SHA-256 of the HTML, which holds no "generated at" time), that record is the
answer and nothing is sealed. Otherwise a new version is sealed that supersedes the last one.
The audit summary leaves out reads (page views, downloads) and the summary's own entries, so
asking twice, or reading the summary, does not make a new version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from core import timeline
from core.access import read_audit_actions
from core.models import AuditEntry, User
from planning.followups.progress import case_progress
from planning.pathway.audit import audit_case
from planning.pathway.models import Case
from planning.pathway.states import state_label
from planning.treatment.models import DosingPlan
from records.models import RecordKind, SealedRecord
from records.pipeline import RenderRequest
from records.selectors import record_versions
from records.services import RecordOwner, sealed_record_current

__all__ = ["LAYOUT_VERSION", "SummaryResult", "case_summary_html", "case_summary_seal"]

# summary-2: the audit summary in plain words (was action codes); no adverse-event wording for
# sessions that have not happened.
LAYOUT_VERSION = "summary-2"
SEAL_REASON = "Case summary, sealed by the clinic"
SEALED_ACTION = "case_summary.sealed"
# Audit actions that are not events of the case (reads, refusals), besides the table's reads.
_NOT_EVENTS = frozenset({"record.download", "access.denied", SEALED_ACTION})


@dataclass(frozen=True)
class SummaryResult:
    record: SealedRecord
    created: bool  # False: the case had not changed since the latest summary


def summary_events(case: Case) -> QuerySet[AuditEntry]:
    """The case's audit entries the summary reports, oldest first."""
    own = Q(action="record.sealed", data__kind=RecordKind.CASE_SUMMARY) | Q(
        target__startswith=f"{RecordKind.CASE_SUMMARY}:"
    )
    return (
        AuditEntry.objects.filter(case_id=case.pk)
        .exclude(action__in=read_audit_actions() | _NOT_EVENTS)
        .exclude(own)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def _audit_summary(case: Case) -> dict[str, Any]:
    events = list(summary_events(case))
    counts = Counter(e.action for e in events)
    first: dict[str, AuditEntry] = {}
    latest: dict[str, AuditEntry] = {}
    for entry in events:
        first.setdefault(entry.action, entry)
        latest[entry.action] = entry
    # In plain words, as on the case page's timeline: the kind and the latest such event (the
    # code stays beside it for the auditor), in the order things first happened.
    by_action = [
        {
            "action": action,
            "kind": timeline.KINDS[timeline.kind_of(action)],
            "latest": timeline.describe(latest[action]),
            "count": counts[action],
            "first": first[action].created_at,
            "last": latest[action].created_at,
        }
        for action in first
    ]
    transitions = [
        {
            "at": e.created_at,
            "who": _who(e),
            "from": state_label(str(e.data.get("from", ""))),
            "to": state_label(str(e.data.get("to", ""))),
            "reason": e.data.get("reason", ""),
        }
        for e in events
        if e.action == "case.transition"
    ]
    return {
        "events": len(events),
        "by_action": by_action,
        "transitions": transitions,
        "first": events[0].created_at if events else None,
        "last": events[-1].created_at if events else None,
    }


def _who(entry: AuditEntry) -> str:
    return entry.actor.display_name if entry.actor else entry.actor_label or "system"


def case_summary_html(case: Case) -> str:
    plan = (
        DosingPlan.objects.filter(case=case, status=DosingPlan.Status.APPROVED)
        .select_related("protocol")
        .order_by("-version")
        .first()
    )
    sessions = list(
        case.sessions.select_related("plan", "signed_off_by").order_by("scheduled_for", "number")
    )
    audit = _audit_summary(case)
    return render_to_string(
        "followups/pdf/case_summary.html",
        {
            "case": case,
            "patient": case.patient,
            "state_label": state_label(case.state),
            "plan": plan,
            "sessions": sessions,
            "progress": case_progress(case),
            "audit": audit,
            "clinic_name": settings.CLINIC_NAME,
            "layout_version": LAYOUT_VERSION,
            "tz": timezone.get_current_timezone_name(),
        },
    )


def case_summary_seal(*, case_id: int, actor: User | None) -> SummaryResult:
    """The sealed summary of the case as it stands: the latest record if nothing changed since,
    otherwise a new version (audited with who asked for it)."""
    case = Case.objects.select_related("patient", "physician").get(pk=case_id)
    patient = case.patient
    record, created = sealed_record_current(
        kind=RecordKind.CASE_SUMMARY,
        owner_id=case.pk,
        owner=lambda version: RecordOwner(
            kind=RecordKind.CASE_SUMMARY,
            owner_id=case.pk,
            label=(
                f"case summary v{version}, case #{case.pk}, {patient.full_name} "
                f"({patient.mrn}), state {state_label(case.state)}"
            ),
            file_name=f"case-summary-{case.pk}-v{version}.pdf",
            case_id=case.pk,
            patient_id=patient.pk,
        ),
        render=RenderRequest(
            html=case_summary_html(case),
            title=f"Case summary · {patient.full_name}",
            subject=f"Case #{case.pk}",
            reason=SEAL_REASON,
            metadata={"PathwayCase": str(case.pk)},
        ),
        layout_version=LAYOUT_VERSION,
    )
    if not created:
        return SummaryResult(record, created=False)
    audit_case(
        SEALED_ACTION,
        case=case,
        actor=actor,
        actor_label="" if actor else "system",
        target=record.audit_target,
        data={"version": record.version, "sha256": record.sha256},
    )
    return SummaryResult(record, created=True)


def case_summary_versions(case: Case) -> list[SealedRecord]:
    return record_versions(RecordKind.CASE_SUMMARY, case.pk)
