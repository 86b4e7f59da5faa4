"""The access table (`core.access`) drives every route: each route names its action per method,
each action names real permissions, what each role reaches follows from the table and the
roles' grants, and every clinical read writes exactly one audit entry. A new route without an
action, or a new clinical page that audits nothing (or twice), fails here."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from core.access import Action, all_actions, get_action
from core.models import AuditEntry, User
from core.roles import Role, role_permissions
from planning.pathway.states import CaseState
from records.models import RecordKind
from tests.conftest import make_user
from tests.consent.helpers import consent_signed_for
from tests.factories import CaseFactory, approve_plan, satisfy_intake
from tests.routes import Route, project_routes
from tests.support.records import stored_record
from tests.test_no_server_errors import ids_for

ROLES = [Role.PATIENT, Role.CLINICIAN, Role.PHYSICIAN, Role.ADMIN_STAFF, Role.CLINIC_ADMIN, None]


def allowed(role: Role | None, action: Action) -> bool:
    """The expectation, from the table and the grants alone (never from the code under test)."""
    grants = set(role_permissions()[role]) if role else set()
    return action.perm in grants or action.own_perm in grants


def gated() -> list[tuple[Route, str, Action]]:
    """(route, method, action) for every route and method that needs a permission."""
    found = []
    for route in project_routes():
        for method in ("GET", "POST"):
            action = get_action(route.actions[method])
            if not (action.public or action.signed_in):
                found.append((route, method, action))
    return found


def test_every_route_names_a_declared_action() -> None:
    routes = project_routes()
    assert [r.name for r in routes if not r.actions] == []
    from api.access import API_ACTIONS

    used = {name for r in routes for name in r.actions.values()} | set(API_ACTIONS)
    for name in used:
        get_action(name)  # LookupError names an undeclared action
    assert sorted(set(all_actions()) - used) == []  # no action without a route or an API use
    assert len(routes) > 40


@pytest.mark.django_db
def test_every_action_names_real_permissions() -> None:
    for action in all_actions().values():
        for perm in filter(None, (action.perm, action.own_perm)):
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), (action.name, perm)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_table_grants(role: Role | None) -> None:
    """Allowed: anything but 403 (a missing sub-record may be 404, junk input 400). Refused: 403
    before any record is looked at."""
    user = make_user(role)
    case = CaseFactory(
        state=CaseState.ACTIVE, **({"patient__user": user} if role is Role.PATIENT else {})
    )
    client = Client()
    client.force_login(user)
    wrong = []
    for route, method, action in gated():
        url = route.fill(ids_for(route.kwargs, case.pk))
        response = client.get(url) if method == "GET" else client.post(url, {})
        if (response.status_code == 403) == allowed(role, action):
            wrong.append(f"{method} {route.name} ({action.name}) -> {response.status_code}")
    assert wrong == []


@pytest.mark.django_db
def test_anonymous_people_are_sent_to_sign_in_from_every_gated_route() -> None:
    case = CaseFactory()
    client = Client()
    for route, method, _ in gated():
        url = route.fill(ids_for(route.kwargs, case.pk))
        response = client.get(url) if method == "GET" else client.post(url, {})
        if url.startswith("/api/"):  # a program gets a JSON 401, never a sign-in page
            assert response.status_code == 401 and response.json()["error"], route.name
            continue
        assert response.status_code == 302 and "/accounts/login/" in response.url, route.name


def audited_reads() -> list[tuple[Route, Action]]:
    found = []
    for route in project_routes():
        action = get_action(route.actions["GET"])
        if action.audit:
            found.append((route, action))
    return found


def test_the_clinical_pages_and_pdfs_are_audited_reads() -> None:
    """Written by hand, so that dropping `audit=` from a clinical action fails."""
    assert {route.name for route, _ in audited_reads()} == {
        "pathway:case_detail",
        "intake:consultation",
        "intake:evaluation",
        "intake:medications",
        "treatment:plan_page",
        "treatment:plan_pdf",
        "treatment:session_page",
        "treatment:rems_pdf",
        "consent_signature_pdf",
        "followups:case_summary_pdf",
        "pathway:own_record",
    }


def _world(patient: User) -> dict[str, int | str]:
    """An active case of `patient` with an approved, sealed plan, a session with a REMS form, a
    sealed consent PDF and a sealed case summary: the ids every audited read needs."""
    physician = make_user(Role.PHYSICIAN)
    case = CaseFactory(state=CaseState.PLAN_PENDING, patient__user=patient)
    satisfy_intake(case, "complete_evaluation")
    plan = approve_plan(case, physician)
    plan.refresh_from_db()
    stored_record(
        RecordKind.PLAN, plan.pk, case_id=case.pk, patient_id=case.patient_id, data=b"%PDF-1 p"
    )
    session = case.sessions.order_by("number").first()
    assert session is not None
    case.sessions.filter(pk=session.pk).update(rems_due_at=timezone.now())
    stored_record(
        RecordKind.REMS, session.pk, case_id=case.pk, patient_id=case.patient_id, data=b"%r"
    )
    signature = consent_signed_for(case)
    consent = stored_record(
        RecordKind.CONSENT, signature.pk, case_id=case.pk, patient_id=case.patient_id, data=b"%c"
    )
    stored_record(
        RecordKind.CASE_SUMMARY, case.pk, case_id=case.pk, patient_id=case.patient_id, data=b"%s"
    )
    return {
        "case_id": case.pk,
        "record_id": consent.pk,
        "plan_id": plan.pk,
        "session_id": session.pk,
        "signature_id": signature.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES[:-1])
def test_every_clinical_read_writes_exactly_one_audit_entry(role: Role) -> None:
    user = make_user(role)
    world = _world(user if role is Role.PATIENT else make_user(Role.PATIENT))
    client = Client()
    client.force_login(user)
    reads = [(r, a) for r, a in audited_reads() if allowed(role, a)]
    assert reads
    for route, action in reads:
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        response = client.get(route.fill(world))
        assert response.status_code == 200, (route.name, response.status_code)
        written = list(
            AuditEntry.objects.filter(seq__gt=last).values_list("action", "case_id", "actor")
        )
        assert written == [(action.audit, world["case_id"], user.pk)], route.name
