"""How follow-ups join the pathway: a case that reaches a final state cancels its open
follow-ups (in the transition's transaction); the follow-ups and progress panels on the case
page; due items on the board."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.pathway import hooks
from planning.pathway.states import FINAL_STATES
from planning.treatment import hooks as treatment_hooks

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from core.models import User
    from planning.pathway.models import Case
    from planning.pathway.snapshot import CaseSnapshot
    from planning.treatment.models import DosingPlan, TreatmentSession


def _on_transitioned(case: Case, source: str, target: str, actor: User) -> None:
    from planning.followups.services import followups_cancel_open

    if target in FINAL_STATES:
        followups_cancel_open(case=case, why=f"case {target}")


def _panel_context(request: HttpRequest, snapshot: CaseSnapshot) -> dict[str, Any]:
    from planning.followups import selectors
    from planning.followups.models import FollowUpKind

    return {
        "followups": selectors.followups_for_case(snapshot.case),
        "followup_kinds": FollowUpKind.choices,
    }


def _progress_context(request: HttpRequest, snapshot: CaseSnapshot) -> dict[str, Any]:
    """The charts over the sessions the treatment panel read, the summaries among the case's
    sealed records (read once for every panel)."""
    from core.access import get_action
    from planning.followups.progress import case_progress
    from planning.treatment.selectors import sessions_of
    from records.models import RecordKind
    from records.selectors import versions_of_owner

    if not get_action("case.summary_pdf").allows_any(request.user):
        return {"progress": None}
    case = snapshot.case
    return {
        "progress": case_progress(case, sessions=sessions_of(snapshot)),
        "case_summaries": versions_of_owner(snapshot.records(), RecordKind.CASE_SUMMARY, case.pk),
    }


def _patient_panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    from planning.followups import selectors

    return {"open": selectors.patient_open_questionnaires(case), "case": case}


def _patient_progress_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The patient's own score charts: the same charts staff see, without session vitals."""
    from planning.followups.progress import case_progress

    return {"scores": case_progress(case).scores}


def _board_context(request: HttpRequest, cases: QuerySet[Case]) -> dict[str, Any]:
    from planning.followups import selectors

    return {"tasks": selectors.staff_tasks_due(cases)}


def _on_plan_approved(plan: DosingPlan) -> None:
    from planning.followups.services import followups_generate

    followups_generate(plan=plan)


def _on_session_signed_off(session: TreatmentSession, actor: User | None) -> None:
    from planning.followups.services import followup_rems

    followup_rems(session=session)


def _on_rems_submitted(session: TreatmentSession, actor: User | None) -> None:
    from planning.followups.services import followup_rems_complete

    followup_rems_complete(session=session, actor=actor)


def _on_sessions_suspended(case: Case, why: str) -> None:
    from planning.followups.services import followups_cancel_open

    followups_cancel_open(case=case, why=why, sessions_only=True)


def _register_treatment_events() -> None:
    treatment_hooks.register_on_plan_approved("followups.generate", _on_plan_approved)
    treatment_hooks.register_on_session_signed_off("followups.rems", _on_session_signed_off)
    treatment_hooks.register_on_rems_submitted("followups.rems_done", _on_rems_submitted)
    treatment_hooks.register_on_sessions_suspended("followups.suspend", _on_sessions_suspended)
    treatment_hooks.register_on_sessions_resumed("followups.resume", _on_plan_approved)


def wire() -> None:
    from planning.followups import wording

    wording.register()
    _register_treatment_events()
    hooks.register_on_transitioned("followups.cancel_on_final", _on_transitioned)
    hooks.register_case_panel(
        hooks.CasePanel(
            key="followups", template="followups/_panel.html", order=30, context=_panel_context
        )
    )
    hooks.register_case_panel(
        hooks.CasePanel(
            key="progress",
            template="followups/_progress_panel.html",
            order=25,
            context=_progress_context,
        )
    )
    hooks.register_board_context("followups.due", _board_context)
    hooks.register_patient_panel(
        hooks.PatientPanel(
            key="followups.open",
            template="followups/_patient_open.html",
            order=20,
            context=_patient_panel_context,
        )
    )
    hooks.register_patient_panel(
        hooks.PatientPanel(
            key="followups.progress",
            template="followups/_patient_progress.html",
            order=29,
            context=_patient_progress_context,
        )
    )
