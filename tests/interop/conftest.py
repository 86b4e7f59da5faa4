from typing import Any

from tests.api.conftest import journey_case

__all__ = ["add_session_vitals", "journey_case"]


def add_session_vitals(case: Any) -> Any:
    """The case's first session: pre-dose pressure and pulse (no SpO2) at dosing start, and a
    reading at minute 40 (recorded by the plan's approver). Returns the session."""
    from django.utils import timezone

    from planning.treatment.models import VitalSignReading

    session = case.sessions.order_by("number").first()
    session.pre_systolic, session.pre_diastolic, session.pre_heart_rate = 128, 82, 71
    session.dosing_started_at = timezone.now()
    session.save()
    VitalSignReading.objects.create(
        session=session,
        minute=40,
        systolic_bp=141,
        diastolic_bp=88,
        heart_rate=80,
        spo2_percent=97,
        recorded_by=case.plans.get().approved_by,
    )
    return session
