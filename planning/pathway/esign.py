"""A staff member's electronic signature on a case decision (plan approval, the approval of an
amended plan, blood-pressure clearance, dose deviation, safety-alert decision): the two
components of 21 CFR 11.200 checked by `core.esign`, in the service, under the case's row lock
and before anything is written.

    with signing(signature, actor=actor, case=case, meaning="...") as locked:
        ...  # the signed write, on the locked case

A refused signature raises from `with` after its `esign.failed` audit entry is committed (the
transaction holds nothing else yet), so nothing of the decision is saved and the refusal stays
in the trail; failures count toward the account lockout (`core.ratelimit`).
"""

from __future__ import annotations

from types import TracebackType

from django.db import transaction

from core.errors import DomainError
from core.esign import ESignature
from core.models import User
from planning.pathway.models import Case
from planning.pathway.services import case_lock


class signing:
    """Open a transaction, lock the case, verify the signature; yield the locked case."""

    def __init__(self, signature: ESignature, *, actor: User, case: Case, meaning: str) -> None:
        self.signature, self.actor, self.case, self.meaning = signature, actor, case, meaning
        self._atomic = transaction.atomic()

    def __enter__(self) -> Case:
        self._atomic.__enter__()
        try:
            locked = case_lock(self.case.pk)
            self.signature.verify(user=self.actor, meaning=self.meaning, case_id=self.case.pk)
        except DomainError:
            self._atomic.__exit__(None, None, None)  # keep the refusal's audit entry
            raise
        except BaseException as exc:
            self._atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return locked

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._atomic.__exit__(exc_type, exc, tb)
