"""The sweep turns invitations left unsigned into staff tasks, oldest first, in batches that
never re-read the requests already handled (no starvation however many are stale)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from consent.models import ConsentDocument, ConsentRequest
from planning.followups import sweep as sweep_module
from planning.followups.models import FollowUp, FollowUpKind
from planning.pathway.states import CaseState
from tests.consent.helpers import make_link, published_version
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _pending_request(n: int, document: ConsentDocument) -> ConsentRequest:
    case = CaseFactory(state=CaseState.CONSENT_PENDING)
    return ConsentRequest.objects.create(
        patient=case.patient,
        case_id=case.pk,
        document=document,
        link=make_link(case.patient, case_id=case.pk),
        status=ConsentRequest.Status.PENDING,
    )


def test_every_stale_invitation_gets_its_task_across_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sweep_module, "UNSIGNED_CONSENT_BATCH", 2)
    document = published_version().document
    requests = [_pending_request(n, document) for n in range(5)]
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        made = [sweep_module._unsigned_consent_followups(timezone.now()) for _ in range(4)]
    assert made == [2, 2, 1, 0]
    tasks = FollowUp.objects.filter(kind=FollowUpKind.UNSIGNED_CONSENT)
    assert sorted(tasks.values_list("key", flat=True)) == sorted(
        f"consent_request:{r.pk}:unsigned" for r in requests
    )
