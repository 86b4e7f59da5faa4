"""One request's reads of one case, shared by the case page's cards and its "Next step" panel.

The cards come from sub-domains the pathway does not import (`hooks`), and several need the same
rows: the evaluation, the sessions, the sealed records, the consent requests. Each reads through
`snapshot.once(key, load)`, so a row set is read at most once per request, by whoever asks
first, and not at all when no card shown to this user asks. A snapshot belongs to one request
of one read-only page: services never read through it (they read under the case's row lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from core.models import User
    from planning.pathway.models import Case
    from records.models import SealedRecord

T = TypeVar("T")


@dataclass
class CaseSnapshot:
    case: Case
    user: User
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def once(self, key: str, load: Callable[[Case], T]) -> T:
        """`load(case)`, read on the first call for `key` and remembered for the request."""
        if key not in self._memo:
            self._memo[key] = load(self.case)
        return cast("T", self._memo[key])

    def missing(self, transition: str) -> list[str]:
        """What the transition's guards still report (`workflow.missing_for`), run once."""
        from planning.pathway import workflow

        return self.once(f"missing:{transition}", lambda c: workflow.missing_for(c, transition))

    def records(self) -> list[SealedRecord]:
        """Every sealed record of the case (no PDF bytes), oldest version first: the plans',
        the consents', the case summaries' (each is stored with its case)."""
        from records.selectors import records_of_case

        return self.once("records", lambda c: records_of_case(c.pk))
