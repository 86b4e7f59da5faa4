"""Two people move the same case at the same moment: exactly one wins, the other is told."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from core.audit import verify_chain
from core.errors import CaseChanged
from core.models import AuditEntry
from core.roles import Role
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from tests.conftest import make_user
from tests.factories import CaseFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_threads_one_winner(round_: int) -> None:
    clinician, physician = make_user(Role.CLINICIAN), make_user(Role.PHYSICIAN)
    case = CaseFactory(state=CaseState.EVALUATION)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name: str, transition: str, actor, reason: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[name] = case_transition(
                case_id=case.pk,
                transition=transition,
                actor=actor,
                reason=reason,
                expected_state=CaseState.EVALUATION,
            ).state
        except Exception as exc:  # recorded: anything but CaseChanged fails the assertions
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("a", "hold", clinician, "Patient travelling")),
        threading.Thread(target=act, args=("b", "mark_ineligible", physician, "Psychosis")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [v for v in outcomes.values() if isinstance(v, str)]
    losers = [v for v in outcomes.values() if isinstance(v, CaseChanged)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "changed" in losers[0].message
    assert Case.objects.get(pk=case.pk).state == winners[0]
    assert AuditEntry.objects.filter(action="case.transition", case_id=case.pk).count() == 1
    assert verify_chain().ok
