"""Sealed-record fixtures: one record owner of each kind, ready to be sealed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from records.models import RecordKind, SealedRecord


@dataclass
class Owner:
    """Something that gets a sealed record: how to seal it and where staff download it."""

    kind: RecordKind
    owner_id: int
    case: Any
    seal: Any  # () -> SealedRecord
    download_url: str


def _consent(case: Any) -> Owner:
    from consent.services import consent_pdf_ensure
    from tests.consent.helpers import consent_signed_for

    signature = consent_signed_for(case)
    return Owner(
        RecordKind.CONSENT,
        signature.pk,
        case,
        lambda: consent_pdf_ensure(signature_id=signature.pk),
        reverse("consent_signature_pdf", args=[signature.pk]),
    )


def _plan(case: Any) -> Owner:
    from planning.treatment.pdf import plan_pdf_ensure

    plan = case.plans.get()
    return Owner(
        RecordKind.PLAN,
        plan.pk,
        case,
        lambda: plan_pdf_ensure(plan_id=plan.pk),
        reverse("treatment:plan_pdf", args=[case.pk, plan.pk]),
    )


def signed_off_esketamine_session(physician: Any, clinician: Any) -> Any:
    from planning.treatment.services import sessions as session_services
    from tests.planning.treatment.helpers import active_case as _active_case
    from tests.planning.treatment.helpers import discharge as _discharge
    from tests.planning.treatment.helpers import run_session as _run_session

    case = _active_case(
        physician, route="intranasal_esketamine", dose="56", frequency="twice weekly (weeks 1-4)"
    )
    session, start = _run_session(case, clinician, minutes=125, devices=2, dose="56")
    with mock.patch("planning.treatment.services.sessions._queue_rems_form"):
        session_services.session_sign_off(
            case=case, session_id=session.pk, actor=clinician, discharge=_discharge(start, 125)
        )
    return case, session


def _rems(physician: Any, clinician: Any) -> Owner:
    from planning.treatment.rems import rems_form_seal

    case, session = signed_off_esketamine_session(physician, clinician)
    return Owner(
        RecordKind.REMS,
        session.pk,
        case,
        lambda: rems_form_seal(session_id=session.pk),
        reverse("treatment:rems_pdf", args=[case.pk, session.pk]),
    )


def _case_summary(physician: Any, clinician: Any) -> Owner:
    """A case with a plan, a signed-off session and its vitals: the summary draws charts."""
    from planning.followups.summary import case_summary_seal

    case, _ = signed_off_esketamine_session(physician, clinician)
    return Owner(
        RecordKind.CASE_SUMMARY,
        case.pk,
        case,
        lambda: case_summary_seal(case_id=case.pk, actor=physician).record,
        reverse("followups:case_summary_pdf", args=[case.pk]),
    )


@pytest.fixture(
    params=[RecordKind.CONSENT, RecordKind.PLAN, RecordKind.REMS, RecordKind.CASE_SUMMARY]
)
def owner(request: Any, sealing: Any, physician: Any, clinician: Any) -> Owner:
    from tests.planning.treatment.helpers import active_case as _active_case

    if request.param == RecordKind.REMS:
        return _rems(physician, clinician)
    if request.param == RecordKind.CASE_SUMMARY:
        return _case_summary(physician, clinician)
    case = _active_case(physician)
    return _consent(case) if request.param == RecordKind.CONSENT else _plan(case)


@pytest.fixture
def staff_client(physician: Any) -> Client:
    client = Client()
    client.force_login(physician)
    return client


def stored(kind: RecordKind, owner_id: int) -> int:
    return SealedRecord.objects.filter(kind=kind, owner_id=owner_id).count()
