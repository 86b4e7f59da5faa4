"""Random interleavings of everything that can happen to an active case, driven through the
services, checked after every step against an oracle written here (not gates.py):

- no dose is recorded unless every gate held just before it (and, the other way round, a dose
  is refused only when some gate did not hold);
- every recorded dose points at an approved plan and at a consent signature that was current
  and not withdrawn when it was given;
- no session is scheduled on a case that is not in active treatment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from consent.models import ConsentSignature, ConsentVersion, ConsentWithdrawal
from consent.services import consent_version_publish, consent_withdraw
from core.errors import DomainError
from core.models import ClinicSettings
from core.roles import Role
from planning.intake.services import alert_acknowledge, alert_decide, alert_raise
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from planning.treatment.models import DosingPlan, TreatmentSession
from planning.treatment.services import plans as plan_services
from planning.treatment.services import sessions as session_services
from planning.treatment.services.sessions import DosingRecord
from tests.conftest import make_user
from tests.consent.helpers import consent_signed_for
from tests.planning.treatment.helpers import active_case, approve, predose
from tests.support.esign import esign

EARLY_DAYS = 3


@dataclass(frozen=True)
class Oracle:
    ok: bool
    why: str


def _signature_current(case: Case) -> ConsentSignature | None:
    """Independent of gates.py: latest signature, no withdrawal since, not older than the last
    material version."""
    signature = (
        ConsentSignature.objects.filter(case_id=case.pk).order_by("-signed_at", "-pk").first()
    )
    if signature is None:
        return None
    if ConsentWithdrawal.objects.filter(
        case_id=case.pk, withdrawn_at__gte=signature.signed_at
    ).exists():
        return None
    material = (
        ConsentVersion.objects.exclude(published_at=None)
        .filter(material_change=True)
        .order_by("-published_at")
        .first()
    )
    if material and signature.version.published_at < material.published_at:
        return None
    return signature


def dose_oracle(case: Case, session: TreatmentSession, mg: Decimal) -> Oracle:
    clinic = ClinicSettings.current()
    signature = _signature_current(case)
    latest = case.plans.order_by("-version").first()
    checks = [
        (case.state == CaseState.ACTIVE, "case not active"),
        (session.status == "scheduled" and session.dose_given_mg is None, "session not open"),
        (signature is not None, "no current signature"),
        (latest is not None and latest.is_approved, "no approved plan in force"),
        (latest is not None and session.plan_id == latest.pk, "session of another plan"),
        (
            latest is not None
            and signature is not None
            and latest.consent_reference.get("signature_id") == signature.pk,
            "plan not approved on the current signature",
        ),
        ((session.scheduled_for - timezone.localdate()).days <= EARLY_DAYS, "too early"),
        (not case.alerts.filter(decided_at=None).exists(), "open alert"),
        (session.predose_recorded_at is not None, "no checklist"),
        (bool(session.predose_escort_confirmed), "no escort"),
        (
            (
                (session.pre_systolic or 0) <= clinic.predose_systolic_max
                and (session.pre_diastolic or 0) <= clinic.predose_diastolic_max
            )
            or session.bp_clearance_for == f"{session.pre_systolic}/{session.pre_diastolic}",
            "high BP not cleared",
        ),
        (
            latest is None or mg == latest.dose_mg or session.deviation_dose_mg == mg,
            "deviation not recorded",
        ),
    ]
    failed = [why for ok, why in checks if not ok]
    return Oracle(not failed, ", ".join(failed))


class TreatmentSafety(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.physician, self.clinician, self.admin, self.case = START
        self.doses: list[tuple[int, int, int]] = []  # (session, plan, signature) when dosed

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # helpers ---------------------------------------------------------------------------------

    @property
    def fresh(self) -> Case:
        return Case.objects.select_related("patient").get(pk=self.case.pk)

    def _session(self) -> TreatmentSession | None:
        return (
            self.fresh.sessions.filter(status="scheduled", dose_given_mg=None)
            .order_by("number")
            .first()
        )

    def _try(self, action: Any) -> bool:
        try:
            with transaction.atomic():
                action()
        except DomainError:
            return False
        return True

    # transitions -----------------------------------------------------------------------------

    @rule(
        name=st.sampled_from(
            ["hold", "resume", "complete_treatment", "mark_ineligible", "withdraw"]
        )
    )
    def transition(self, name: str) -> None:
        if name == "withdraw":
            self.staff_withdraw()
            return
        actor = self.physician
        self._try(
            lambda: case_transition(
                case_id=self.case.pk, transition=name, actor=actor, reason="random step"
            )
        )

    def staff_withdraw(self) -> None:
        self._try(
            lambda: case_transition(
                case_id=self.case.pk, transition="withdraw", actor=self.clinician, reason="phoned"
            )
        )

    def patient_withdraws_consent(self) -> None:
        case = self.fresh
        self._try(
            lambda: consent_withdraw(
                patient=case.patient,
                case_id=case.pk,
                reason="changed my mind",
                actor=self.clinician,
            )
        )

    def publish_material_version(self) -> None:
        current = ConsentVersion.objects.exclude(published_at=None).filter(source_version=None)
        current = current.order_by("-published_at")[0]
        count = ConsentVersion.objects.count()
        draft = ConsentVersion.objects.create(
            document=current.document,
            label=f"v{count + 1}",
            material_change=True,
            body_markdown=current.body_markdown + f"\nChange {count}.\n",
        )
        self._try(lambda: consent_version_publish(version_id=draft.pk, actor=self.admin))

    def sign_consent(self) -> None:
        case = self.fresh
        if case.state != CaseState.CONSENT_PENDING:
            return

        def sign() -> None:
            consent_signed_for(case)
            case_transition(case_id=case.pk, transition="record_consent", actor=self.clinician)

        self._try(sign)

    def approve_plan(self) -> None:
        case = self.fresh

        def approve_latest() -> None:
            draft = case.plans.filter(status=DosingPlan.Status.DRAFT).first()
            if draft is None:
                draft = plan_services.plan_renew(case=case, actor=self.physician)
            approve(case, self.physician, draft)

        self._try(approve_latest)

    def approve_plan_without_signing(self) -> None:
        self._try(
            lambda: case_transition(
                case_id=self.case.pk, transition="approve_plan", actor=self.physician
            )
        )

    def amend_plan(self) -> None:
        self._try(
            lambda: plan_services.plan_amend(case=self.fresh, actor=self.physician, reason="adjust")
        )

    # alerts ----------------------------------------------------------------------------------

    def raise_alert(self) -> None:
        self._try(lambda: alert_raise(case=self.fresh, message="PHQ-9 item 9 above zero"))

    def acknowledge_or_decide(self, physician: bool) -> None:
        alert = self.fresh.alerts.filter(decided_at=None).first()
        if alert is None:
            return
        if physician:
            self._try(
                lambda: alert_decide(
                    case=self.fresh,
                    alert_id=alert.pk,
                    actor=self.physician,
                    decision="continue",
                    reason="seen",
                    signature=esign(self.physician),
                )
            )
        else:
            self._try(
                lambda: alert_acknowledge(
                    case=self.fresh, alert_id=alert.pk, actor=self.clinician, note="called"
                )
            )

    # the session -----------------------------------------------------------------------------

    def record_predose(self, high: bool, escort: bool) -> None:
        session = self._session()
        if session is not None:
            bp = (150, 92) if high else (124, 80)
            self._try(lambda: predose(self.fresh, self.clinician, session, bp=bp, escort=escort))

    def clear_bp(self) -> None:
        session = self._session()
        if session is not None:
            self._try(
                lambda: session_services.session_bp_clearance(
                    case=self.fresh,
                    session_id=session.pk,
                    actor=self.physician,
                    reason="repeat reading acceptable",
                    signature=esign(self.physician),
                )
            )

    def record_deviation(self) -> None:
        session = self._session()
        if session is not None:
            self._try(
                lambda: session_services.session_deviation_record(
                    case=self.fresh,
                    session_id=session.pk,
                    actor=self.physician,
                    dose_mg=Decimal("30.00"),
                    reason="tolerability",
                    signature=esign(self.physician),
                )
            )

    @rule(planned=st.sampled_from([True, True, False]))
    def record_dose(self, planned: bool) -> None:
        session = self._session()
        if session is None:
            return
        case = self.fresh
        mg = session.plan.dose_mg if planned else Decimal("30.00")
        oracle = dose_oracle(case, session, mg)
        signature = _signature_current(case)
        done = self._try(
            lambda: session_services.session_record_dosing(
                case=case,
                session_id=session.pk,
                actor=self.clinician,
                data=DosingRecord(timezone.now() - timedelta(minutes=95), mg, "LOT"),
            )
        )
        assert done == oracle.ok, f"dose {'recorded' if done else 'refused'}: {oracle.why}"
        if done:
            assert signature is not None
            self.doses.append((session.pk, session.plan_id, signature.pk))

    def sign_off(self) -> None:
        session = self.fresh.sessions.filter(status="scheduled").exclude(dose_given_mg=None).first()
        if session is None:
            return

        def monitor_and_sign() -> None:
            session_services.session_vitals_add(
                case=self.fresh,
                session_id=session.pk,
                actor=self.clinician,
                minute=40,
                systolic_bp=128,
                diastolic_bp=80,
                heart_rate=80,
            )
            session_services.session_monitoring(
                case=self.fresh,
                session_id=session.pk,
                actor=self.clinician,
                moaas=5,
                cadss=dict.fromkeys(session_services.CADSS_ITEMS, 0),
            )
            session_services.session_physician_note(
                case=self.fresh, session_id=session.pk, actor=self.physician, note="ok"
            )
            session_services.session_sign_off(
                case=self.fresh,
                session_id=session.pk,
                actor=self.clinician,
                discharge=session_services.Discharge(
                    discharged_at=timezone.now(),
                    discharge_systolic=126,
                    discharge_diastolic=80,
                    discharge_heart_rate=72,
                    vitals_acceptable=True,
                    alert=True,
                    escort_confirmed=True,
                ),
            )

        self._try(monitor_and_sign)

    # grouped rules: few rules, so that any two steps meet often ------------------------------

    @rule(what=st.sampled_from(["patient_withdraws", "publish", "sign"]))
    def consent_event(self, what: str) -> None:
        {
            "patient_withdraws": self.patient_withdraws_consent,
            "publish": self.publish_material_version,
            "sign": self.sign_consent,
        }[what]()

    @rule(what=st.sampled_from(["approve", "approve_without_signing", "amend"]))
    def plan_event(self, what: str) -> None:
        {
            "approve": self.approve_plan,
            "approve_without_signing": self.approve_plan_without_signing,
            "amend": self.amend_plan,
        }[what]()

    @rule(what=st.sampled_from(["raise", "acknowledge", "decide"]))
    def alert_event(self, what: str) -> None:
        if what == "raise":
            self.raise_alert()
        else:
            self.acknowledge_or_decide(physician=what == "decide")

    @rule(
        what=st.sampled_from(
            ["predose", "predose_high", "predose_no_escort", "clear_bp", "deviation", "sign_off"]
        )
    )
    def session_event(self, what: str) -> None:
        if what.startswith("predose"):
            self.record_predose(high=what == "predose_high", escort=what != "predose_no_escort")
        else:
            {
                "clear_bp": self.clear_bp,
                "deviation": self.record_deviation,
                "sign_off": self.sign_off,
            }[what]()

    # invariants ------------------------------------------------------------------------------

    @invariant()
    def no_session_scheduled_off_active(self) -> None:
        case = self.fresh
        if case.state != CaseState.ACTIVE:
            assert not case.sessions.filter(status="scheduled").exists(), case.state

    @invariant()
    def every_dose_rests_on_an_approved_plan_and_a_signature(self) -> None:
        for session in self.fresh.sessions.exclude(dose_given_mg=None).select_related("plan"):
            assert session.plan.is_approved
            assert session.consent_signature_id is not None
            assert session.plan.consent_reference.get("signature_id") == (
                session.consent_signature_id
            )
            assert not ConsentWithdrawal.objects.filter(
                case_id=session.case_id, withdrawn_at__lte=session.dosing_started_at
            ).exists()
        recorded = {(s, p, g) for s, p, g in self.doses}
        stored = set(
            self.fresh.sessions.exclude(dose_given_mg=None).values_list(
                "pk", "plan_id", "consent_signature_id"
            )
        )
        assert stored == recorded


START: tuple[Any, Any, Any, Case]


@pytest.mark.django_db
def test_no_dose_outside_a_signed_consent_and_an_approved_plan() -> None:
    """Every example starts (inside its own savepoint, rolled back after it) from one active
    case whose first session has its pre-dose checklist done: a dose is one step away, so a
    gate that fails to close shows up within two steps."""
    global START
    ClinicSettings.objects.update_or_create(pk=1, defaults={"session_early_days": EARLY_DAYS})
    physician, clinician = make_user(Role.PHYSICIAN), make_user(Role.CLINICIAN)
    case = active_case(physician, sessions=3, frequency="twice weekly")
    predose(case, clinician, case.sessions.order_by("number")[0])
    START = (physician, clinician, make_user(Role.CLINIC_ADMIN), case)
    run_state_machine_as_test(
        TreatmentSafety,
        settings=settings(
            max_examples=60,
            stateful_step_count=10,
            derandomize=True,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
