"""The physician's plan: form, checks, electronic signature, PDF, amendment."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import AccessDenied, CaseChanged, ValidationFailed
from core.models import AuditEntry
from core.roles import Role
from planning.intake.models import RecordImmutable
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.models import DosingPlan, TreatmentSession
from planning.treatment.services import plans as plan_services
from planning.treatment.services.plans import SIGNATURE_MEANING
from records.models import RecordKind
from records.render import pdf_text
from records.validation import verify_pdf
from tests.conftest import make_user
from tests.factories import CaseFactory, satisfy_intake
from tests.support.esign import authenticator, esign, esign_post
from tests.support.records import count, pdf_of


def _plan_case(**patient):
    case = CaseFactory(
        state=CaseState.PLAN_PENDING, **{f"patient__{k}": v for k, v in patient.items()}
    )
    satisfy_intake(case, "complete_evaluation")  # weight 72.5 kg
    return case


def _form(**overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "route": "iv",
        "dose_value": "0.5",
        "infusion_minutes": 40,
        "sessions": 6,
        "frequency": "twice weekly",
        "start_date": (timezone.localdate() + timedelta(days=2)),
        "monitoring_requirements": "BP at 0, 15, 30, 45, 60, 90 minutes.",
        "concurrent_psychotherapy": "Weekly CBT",
        "cost_per_session": "",
        "override_reason": "",
    }
    data.update(overrides)
    return data


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_draft_shows_the_computed_mg(physician) -> None:
    case = _plan_case()
    client = _client(physician)
    assert client.post(reverse("treatment:plan_page", args=[case.pk]), _form()).status_code == 302
    plan = DosingPlan.objects.get(case=case)
    assert (plan.dose_mg_per_kg, plan.weight_kg_used, plan.dose_mg) == (
        Decimal("0.500"),
        Decimal("72.5"),
        Decimal("36.25"),
    )
    assert plan.total_cost_cents == 270000
    page = client.get(reverse("treatment:plan_page", args=[case.pk])).content.decode()
    assert "36.25 mg" in page and "0.500 mg/kg × 72.5 kg" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "patient", "field", "text"),
    [
        ({"dose_value": "0.9"}, {}, "override_reason", "outside the clinic protocol"),
        (
            {
                "route": "intranasal_esketamine",
                "dose_value": "56",
                "infusion_minutes": "",
                "frequency": "twice weekly (weeks 1-4)",
            },
            {"date_of_birth": "1950-01-01"},
            "override_reason",
            "aged 65 or over start at 28",
        ),
        ({"sessions": 40}, {}, "sessions", "allows 1 to 12"),
        ({"frequency": "daily"}, {}, "frequency", "frequencies: twice weekly"),
        ({"route": "im"}, {}, "route", "Select a valid choice"),
    ],
)
def test_plan_checks_refuse_with_field_errors(physician, overrides, patient, field, text):
    case = _plan_case(**patient)
    response = _client(physician).post(
        reverse("treatment:plan_page", args=[case.pk]), _form(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert text in str(response.context["form"].errors[field])
    assert not DosingPlan.objects.exists()


@pytest.mark.django_db
def test_override_with_reason_is_kept(physician) -> None:
    case = _plan_case()
    _client(physician).post(
        reverse("treatment:plan_page", args=[case.pk]),
        _form(dose_value="0.9", override_reason="Partial response at 0.75 mg/kg; titrating."),
    )
    assert DosingPlan.objects.get(case=case).override_reason.startswith("Partial response")


@pytest.mark.django_db
def test_wrong_password_signs_nothing_and_clinician_cannot_approve(physician, clinician):
    case = _plan_case()
    _client(physician).post(reverse("treatment:plan_page", args=[case.pk]), _form())
    plan = DosingPlan.objects.get(case=case)
    authenticator(physician)
    response = _client(physician).post(
        reverse("treatment:plan_approve", args=[case.pk]),
        {"plan_id": plan.pk, "username": physician.username, "password": "not-it"},
    )
    assert response.status_code == 400 and "password is not correct" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.approved_at is None
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
    refused = AuditEntry.objects.get(action="esign.failed")
    assert refused.case_id == case.pk and refused.data["meaning"] == SIGNATURE_MEANING
    with pytest.raises(AccessDenied):
        plan_services.plan_approve(
            case=case, plan_id=plan.pk, actor=clinician, signature=esign(clinician)
        )
    client = _client(clinician)
    response = client.post(
        reverse("treatment:plan_approve", args=[case.pk]),
        {"plan_id": plan.pk, **esign_post(client, clinician)},
    )
    assert response.status_code == 403
    assert DosingPlan.objects.get(pk=plan.pk).status == "draft"


@pytest.mark.django_db
def test_approval_signs_seals_schedules_and_freezes(
    physician, sealing, django_capture_on_commit_callbacks
) -> None:
    case = _plan_case()
    client = _client(physician)
    client.post(
        reverse("treatment:plan_page", args=[case.pk]),
        _form(dose_value="0.8", override_reason="Documented partial response at 0.75 mg/kg."),
    )
    plan = DosingPlan.objects.get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("treatment:plan_approve", args=[case.pk]),
            {"plan_id": plan.pk, **esign_post(client, physician)},
        )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.signature_meaning == "approved as treating physician"
    assert plan.approver_printed_name == "Amara Okafor" and len(plan.content_sha256) == 64
    assert plan.content_sha256 == plan_services.content_hash(plan_services.plan_content(plan))
    assert Case.objects.get(pk=case.pk).state == CaseState.ACTIVE
    sessions = list(TreatmentSession.objects.filter(case=case).order_by("number"))
    assert [s.number for s in sessions] == [1, 2, 3, 4, 5, 6]
    assert (sessions[1].scheduled_for - sessions[0].scheduled_for).days == 3
    # The sealed PDF: validates, and holds the override reason and the signature meaning.
    pdf = pdf_of(RecordKind.PLAN, plan.pk)
    assert verify_pdf(pdf, trust_root_pem=sealing[1].read_bytes()).ok
    text = pdf_text(pdf)
    assert "Documented partial response" in text and "approved as treating physician" in text
    assert plan.content_sha256 in text.replace("\n", "")
    assert client.get(reverse("treatment:plan_pdf", args=[case.pk, plan.pk])).status_code == 200
    # Frozen: neither the model nor the form can change it.
    plan.dose_mg = Decimal("1")
    with pytest.raises(RecordImmutable):
        plan.save()
    with pytest.raises(Exception, match="waiting for one"):
        plan_services.plan_draft_save(
            case=Case.objects.get(pk=case.pk),
            actor=physician,
            data=plan_services.PlanInput(
                route="iv",
                dose_value=Decimal("0.5"),
                sessions=6,
                frequency="weekly",
                start_date=timezone.localdate(),
                monitoring_requirements="x",
                cost_per_session_cents=1,
            ),
        )


@pytest.mark.django_db
def test_amendment_chain(physician, sealing, django_capture_on_commit_callbacks) -> None:
    case = _plan_case()
    client = _client(physician)
    client.post(reverse("treatment:plan_page", args=[case.pk]), _form())
    v1 = DosingPlan.objects.get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("treatment:plan_approve", args=[case.pk]),
            {"plan_id": v1.pk, **esign_post(client, physician)},
        )
    response = client.post(reverse("treatment:plan_amend", args=[case.pk]), {"reason": ""})
    assert Case.objects.get(pk=case.pk).state == CaseState.ACTIVE
    client.post(reverse("treatment:plan_amend", args=[case.pk]), {"reason": "Reduce to weekly"})
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING
    client.post(
        reverse("treatment:plan_page", args=[case.pk]), _form(frequency="weekly", sessions=8)
    )
    v2 = DosingPlan.objects.get(case=case, version=2)
    assert v2.supersedes == v1 and v2.amendment_reason == "Reduce to weekly"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("treatment:plan_approve", args=[case.pk]),
            {"plan_id": v2.pk, **esign_post(client, physician)},
        )
    assert response.status_code == 302
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.is_approved and v2.is_approved and count(RecordKind.PLAN) == 2
    assert v1.content_sha256 != v2.content_sha256
    assert Case.objects.get(pk=case.pk).state == CaseState.ACTIVE
    live = TreatmentSession.objects.filter(case=case).exclude(status="cancelled")
    assert set(live.values_list("plan_id", flat=True)) == {v2.pk} and live.count() == 8
    assert "Reduce to weekly" in pdf_text(pdf_of(RecordKind.PLAN, v2.pk))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_physicians_approving_at_once_one_wins(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    first, second = make_user(Role.PHYSICIAN), make_user(Role.PHYSICIAN)
    case = _plan_case()
    plan = plan_services.plan_draft_save(
        case=case,
        actor=first,
        data=plan_services.PlanInput(
            route="iv",
            dose_value=Decimal("0.5"),
            sessions=6,
            frequency="weekly",
            start_date=timezone.localdate(),
            monitoring_requirements="BP",
            cost_per_session_cents=1,
        ),
    )
    barrier, outcomes = threading.Barrier(2), []

    def approve(actor) -> None:
        try:
            barrier.wait(timeout=10)
            plan_services.plan_approve(
                case=Case.objects.get(pk=case.pk),
                plan_id=plan.pk,
                actor=actor,
                signature=esign(actor),
            )
            outcomes.append("approved")
        except CaseChanged as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    from unittest import mock

    with mock.patch("planning.treatment.services.plans._queue_plan_pdf"):
        threads = [threading.Thread(target=approve, args=(a,)) for a in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert outcomes.count("approved") == 1, outcomes
    assert sum(isinstance(o, CaseChanged) for o in outcomes) == 1
    assert AuditEntry.objects.filter(action="plan.approve").count() == 1
    assert Case.objects.get(pk=case.pk).state == CaseState.ACTIVE


@pytest.mark.django_db
def test_plan_needs_plan_pending_and_a_physician(clinician) -> None:
    case = _plan_case()
    with pytest.raises(AccessDenied):
        plan_services.plan_draft_save(
            case=case,
            actor=clinician,
            data=plan_services.PlanInput(
                route="iv",
                dose_value=Decimal("0.5"),
                sessions=6,
                frequency="weekly",
                start_date=timezone.localdate(),
                monitoring_requirements="x",
                cost_per_session_cents=1,
            ),
        )
    with pytest.raises(ValidationFailed):
        plan_services.plan_amend(case=case, actor=make_user(Role.PHYSICIAN), reason=" ")


@pytest.mark.django_db
def test_verify_pdf_names_the_plan(
    physician, sealing, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    case = _plan_case()
    client = _client(physician)
    client.post(reverse("treatment:plan_page", args=[case.pk]), _form())
    plan = DosingPlan.objects.get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("treatment:plan_approve", args=[case.pk]),
            {"plan_id": plan.pk, **esign_post(client, physician)},
        )
    plan.refresh_from_db()
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf_of(RecordKind.PLAN, plan.pk))
    from io import StringIO

    out = StringIO()
    call_command("verify_pdf", str(path), stdout=out)
    assert f"dosing plan v1 (#{plan.pk}), case #{case.pk}" in out.getvalue()
    assert "GENUINE" in out.getvalue()


@pytest.mark.django_db
def test_clinic_admin_edits_a_protocol_and_it_is_audited(clinic_admin, physician) -> None:
    from planning.treatment.models import ClinicProtocol

    protocol = ClinicProtocol.objects.get(route="iv")
    client = _client(clinic_admin)
    url = f"/admin/planning/clinicprotocol/{protocol.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"dose_max": "0.8", "active": "on"})
    for flag in ("active",):
        data[flag] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    assert ClinicProtocol.objects.get(pk=protocol.pk).dose_max == Decimal("0.800")
    entry = AuditEntry.objects.filter(action="config.change").latest("seq")
    assert entry.data["after"]["dose_max"] == "0.8"
    assert _client(physician).get(url).status_code == 302  # not for other roles
