"""Intake's facts for the board (open safety alerts, overrides) and the physician's queue of
alerts to review. Wired from `PlanningConfig.ready`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from planning.intake.models import ContraindicationOverride, SafetyAlert
from planning.pathway import queues, waiting
from planning.pathway.formats import UrlPattern
from planning.pathway.models import Case


def _open_alerts() -> QuerySet[SafetyAlert]:
    return SafetyAlert.objects.filter(case_id=OuterRef("pk"), decided_at=None).order_by()


def _alert_count(now: datetime) -> Any:
    count = _open_alerts().values("case_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _first_alert_at(now: datetime) -> Any:
    return Subquery(_open_alerts().values("case_id").annotate(t=Min("raised_at")).values("t"))


def _overrides(now: datetime) -> Any:
    count = (
        ContraindicationOverride.objects.filter(case_id=OuterRef("pk"))
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _alerts_to_review(cases: QuerySet[Case], now: datetime, limit: int) -> list[queues.QueueItem]:
    alerts = (
        SafetyAlert.objects.filter(decided_at=None, case__in=cases)
        .select_related("case__patient")
        .only("message", "raised_at", "case_id", *queues.ITEM_CASE_FIELDS)
        .order_by("raised_at", "pk")[:limit]
    )
    url = UrlPattern("pathway:case_detail")
    return [
        queues.item(
            alert.case,
            f"Safety alert: {alert.message}",
            url(alert.case_id),
            when=alert.raised_at,
            overdue=True,
        )
        for alert in alerts
    ]


def wire() -> None:
    waiting.register_fact("open_alerts", _alert_count)
    waiting.register_fact("first_alert_at", _first_alert_at)
    waiting.register_fact("override_count", _overrides)
    queues.register_section(
        queues.QueueSection(
            "alerts", queues.Queue.PHYSICIAN, "Safety alerts to review", 20, _alerts_to_review
        )
    )
