"""Claiming due rows for one worker run: the pattern the follow-up sweep and the outbox share.

`select_for_update(skip_locked=True)` (where the database has it) picks rows no other run
holds; an UPDATE that re-checks the condition stamps them with this run's token and a lease;
only rows carrying the token are returned. A killed run's lease simply expires. The model needs
`claimed_until` and `claim_token` fields.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import Q


def claim_rows(
    model: type[models.Model],
    where: Q,
    *,
    now: datetime,
    lease: timedelta,
    token: str,
    batch: int,
    order: tuple[str, ...] = ("pk",),
) -> list[int]:
    """Take up to `batch` rows matching `where` that are unclaimed or whose lease expired."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    manager = model._default_manager
    with transaction.atomic():
        rows = manager.filter(where & free).order_by(*order)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:batch])
        # The UPDATE re-checks the condition, so two runs never hold the same row even where
        # SELECT ... FOR UPDATE does nothing (SQLite).
        manager.filter(where & free, pk__in=ids).update(
            claimed_until=now + lease, claim_token=token
        )
    claimed = manager.filter(pk__in=ids, claim_token=token).order_by(*order)
    return list(claimed.values_list("pk", flat=True))
