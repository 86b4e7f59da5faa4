"""Every staff electronic signature goes through core.esign's two components (21 CFR 11.200), in
the service: plan approval, the approval of an amended plan, blood-pressure clearance, dose
deviation and the safety-alert decision. Without a second factor nobody signs; a refusal is in
the audit trail and nothing is saved; failures count toward the account lockout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import AccountLocked, ValidationFailed
from core.esign import ESignature, SecondFactorMissing, esignature_requirements
from core.models import AuditEntry
from planning.intake.models import SafetyAlert
from planning.intake.services import alert_decide, alert_raise
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from planning.treatment.models import DosingPlan, TreatmentSession
from planning.treatment.services import plans as plan_services
from planning.treatment.services import sessions as session_services
from tests.consent.helpers import consent_signed_for
from tests.factories import PASSWORD, CaseFactory, draft_plan, satisfy_intake
from tests.planning.treatment.helpers import active_case, next_session, predose
from tests.support.esign import authenticator, esign, esign_post, signing_request
from tests.support.twofactor import totp_code

pytestmark = pytest.mark.django_db


def _pending_case(physician: Any) -> Case:
    case = CaseFactory(state=CaseState.PLAN_PENDING, patient__sex_at_birth="male")
    satisfy_intake(case, "complete_evaluation")
    consent_signed_for(case)
    return case


@dataclass
class Signing:
    """One signature kind, set up and ready: `sign(signature)` signs, `saved()` tells whether
    the decision was written."""

    case: Case
    sign: Callable[[Any], Any]
    saved: Callable[[], bool]


def _approving(case: Case, plan: DosingPlan, physician: Any) -> Signing:
    def sign(signature: Any) -> Any:
        with mock.patch("planning.treatment.services.plans._queue_plan_pdf"):
            return plan_services.plan_approve(
                case=case, plan_id=plan.pk, actor=physician, signature=signature
            )

    return Signing(case, sign, lambda: DosingPlan.objects.get(pk=plan.pk).is_approved)


def _approval(physician: Any, clinician: Any) -> Signing:
    case = _pending_case(physician)
    return _approving(case, draft_plan(case, physician), physician)


def _amendment(physician: Any, clinician: Any) -> Signing:
    case = active_case(physician)
    plan_services.plan_amend(case=case, actor=physician, reason="Reduce to weekly")
    plan = draft_plan(Case.objects.get(pk=case.pk), physician)
    assert plan.version == 2
    return _approving(case, plan, physician)


def _clearance(physician: Any, clinician: Any) -> Signing:
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session, bp=(150, 85))

    def sign(signature: Any) -> Any:
        return session_services.session_bp_clearance(
            case=case,
            session_id=session.pk,
            actor=physician,
            reason="Anxious on arrival; 148/84 after rest.",
            signature=signature,
        )

    return Signing(
        case, sign, lambda: bool(TreatmentSession.objects.get(pk=session.pk).bp_clearance_for)
    )


def _deviation(physician: Any, clinician: Any) -> Signing:
    case = active_case(physician)
    session = next_session(case)
    predose(case, clinician, session)

    def sign(signature: Any) -> Any:
        return session_services.session_deviation_record(
            case=case,
            session_id=session.pk,
            actor=physician,
            dose_mg=Decimal("40.00"),
            reason="Weight re-measured at 80 kg today.",
            signature=signature,
        )

    return Signing(
        case, sign, lambda: bool(TreatmentSession.objects.get(pk=session.pk).deviation_reason)
    )


def _alert_decision(physician: Any, clinician: Any) -> Signing:
    case = active_case(physician)
    alert = alert_raise(case=case, message="PHQ-9 item 9 answered 2")

    def sign(signature: Any) -> Any:
        return alert_decide(
            case=case,
            alert_id=alert.pk,
            actor=physician,
            decision="continue",
            reason="Seen today; no intent; continue.",
            signature=signature,
        )

    return Signing(case, sign, lambda: SafetyAlert.objects.get(pk=alert.pk).decided_at is not None)


KINDS = {
    "plan approval": _approval,
    "amended plan approval": _amendment,
    "blood-pressure clearance": _clearance,
    "dose deviation": _deviation,
    "safety-alert decision": _alert_decision,
}


@pytest.fixture(params=list(KINDS))
def signing(request: pytest.FixtureRequest, physician: Any, clinician: Any) -> Signing:
    return KINDS[request.param](physician, clinician)


def _failed() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="esign.failed").order_by("seq"))


def test_without_a_second_factor_nobody_signs(signing: Signing, physician: Any) -> None:
    TOTPDevice.objects.filter(user=physician).delete()
    with pytest.raises(SecondFactorMissing) as refused:
        signing.sign(
            ESignature(
                request=signing_request(physician), username=physician.username, password=PASSWORD
            )
        )
    assert (
        "Security page" in refused.value.message and "/account/security/" in refused.value.message
    )
    assert not signing.saved()
    assert _failed()[-1].data["reason"] == "no second factor"
    assert _failed()[-1].case_id == signing.case.pk


def test_a_wrong_password_is_refused_audited_and_saves_nothing(
    signing: Signing, physician: Any
) -> None:
    with pytest.raises(ValidationFailed, match="password is not correct"):
        signing.sign(esign(physician, password="not-the-password"))
    assert not signing.saved()
    entry = _failed()[-1]
    assert entry.case_id == signing.case.pk and entry.data["reason"] == "wrong or missing password"
    assert "not-the-password" not in str(entry.data)


def test_first_signing_takes_user_id_and_password_later_ones_password_and_code(
    signing: Signing, physician: Any
) -> None:
    request = signing_request(physician)
    first = esignature_requirements(request=request, user=physician)
    assert first.username and not first.otp_code
    authenticator(physician)
    # The session's first signing (of another decision: here the components alone).
    ESignature(request=request, username=physician.username, password=PASSWORD).verify(
        user=physician, meaning="first"
    )
    later = esignature_requirements(request=request, user=physician)
    assert not later.username and later.otp_code
    with pytest.raises(ValidationFailed) as missing:
        signing.sign(ESignature(request=request, password=PASSWORD))
    assert set(missing.value.fields) == {"otp_code"} and not signing.saved()
    signing.sign(esign(physician, request=request, offset_steps=1))
    assert signing.saved()
    verified = AuditEntry.objects.filter(action="esign.verified").order_by("seq").last()
    assert verified is not None and verified.data["components"] == ["password", "otp"]


def test_a_valid_first_signing_saves(signing: Signing, physician: Any) -> None:
    signing.sign(esign(physician))
    assert signing.saved()


# The page, for plan approval ------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_physician_without_a_second_factor_cannot_approve_a_plan(physician: Any) -> None:
    case = _pending_case(physician)
    plan = draft_plan(case, physician)
    client = _client(physician)
    page = client.get(reverse("treatment:plan_page", args=[case.pk])).content.decode()
    assert 'data-testid="esign-setup"' in page and reverse("security") in page
    assert 'autocomplete="current-password"' not in page  # no signature fields at all
    response = client.post(
        reverse("treatment:plan_approve", args=[case.pk]),
        {"plan_id": plan.pk, "username": physician.username, "password": PASSWORD},
    )
    assert response.status_code == 403
    assert "Set up two-factor sign-in" in response.content.decode()
    assert DosingPlan.objects.get(pk=plan.pk).status == "draft"
    assert Case.objects.get(pk=case.pk).state == CaseState.PLAN_PENDING


def test_approval_with_user_id_password_then_password_and_code(physician: Any) -> None:
    case = _pending_case(physician)
    plan = draft_plan(case, physician)
    device = authenticator(physician)
    client = _client(physician)
    page = client.get(reverse("treatment:plan_page", args=[case.pk])).content.decode()
    assert 'name="username"' in page and 'name="otp_code"' not in page
    response = client.post(
        reverse("treatment:plan_approve", args=[case.pk]),
        {"plan_id": plan.pk, "username": physician.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert DosingPlan.objects.get(pk=plan.pk).is_approved
    # The amended plan: same session, so password and code, no user ID.
    plan_services.plan_amend(case=case, actor=physician, reason="Reduce to weekly")
    v2 = draft_plan(Case.objects.get(pk=case.pk), physician)
    page = client.get(reverse("treatment:plan_page", args=[case.pk])).content.decode()
    assert 'name="username"' not in page and 'name="otp_code"' in page
    response = client.post(
        reverse("treatment:plan_approve", args=[case.pk]), {"plan_id": v2.pk, "password": PASSWORD}
    )
    assert response.status_code == 400 and DosingPlan.objects.get(pk=v2.pk).status == "draft"
    response = client.post(
        reverse("treatment:plan_approve", args=[case.pk]),
        {"plan_id": v2.pk, "password": PASSWORD, "otp_code": totp_code(device)},
    )
    assert response.status_code == 302 and DosingPlan.objects.get(pk=v2.pk).is_approved


def test_ten_wrong_approval_passwords_lock_the_account(physician: Any, settings: Any) -> None:
    assert settings.ESIGN_FAILURE_LIMIT == 10
    case = _pending_case(physician)
    plan = draft_plan(case, physician)
    authenticator(physician)
    client = _client(physician)
    url = reverse("treatment:plan_approve", args=[case.pk])
    statuses = [
        client.post(
            url, {"plan_id": plan.pk, "username": physician.username, "password": f"guess-{n}"}
        ).status_code
        for n in range(10)
    ]
    assert statuses == [400] * 9 + [403]  # the tenth locks
    failed = _failed()
    assert len(failed) == 10 and all(e.case_id == case.pk for e in failed)
    assert all(e.actor_id == physician.pk for e in failed)
    # Locked: the right password signs nothing, and sign-in is refused too.
    response = client.post(url, {"plan_id": plan.pk, **esign_post(client, physician)})
    assert response.status_code == 403 and "locked" in response.content.decode()
    assert DosingPlan.objects.get(pk=plan.pk).status == "draft"
    with pytest.raises(AccountLocked):
        plan_services.plan_approve(
            case=case, plan_id=plan.pk, actor=physician, signature=esign(physician)
        )
    response = Client().post(
        reverse("login"), {"username": physician.username, "password": PASSWORD}
    )
    assert response.status_code == 200 and "Too many failed" in response.content.decode()
