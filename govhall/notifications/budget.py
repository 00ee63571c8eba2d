"""Per-center hourly SMS budget per template (against SMS pumping through anonymous
channels). When a center has sent a template's budget in the last hour, further messages of
that template wait (status `pending`, `hold_reason`) until the oldest of the hour's sends
leaves the window; nothing is lost. The first held message of an hour raises an
`SmsBudgetAlert` for the center's managers (services.budget_alert_raise)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.notifications.models import OutboxMessage, SmsBudgetAlert, SmsTemplate
from govhall.notifications.services import local_zone

logger = logging.getLogger("govhall.notifications")

HOLD_REASON = "超过中心每小时短信预算"


def budget_for(template: SmsTemplate) -> int:
    """Messages per center per hour for this template; 0 means no limit."""
    if template.center_hourly_budget is not None:
        return int(template.center_hourly_budget)
    return int(getattr(settings, "SMS_CENTER_HOURLY_BUDGET", 1000))


class BudgetBook:
    """Counts of the last hour's sends per (center, template), read lazily (one COUNT on
    the (center, template, sent_at) index per key and batch) plus this batch's own sends."""

    def __init__(self) -> None:
        self.counts: dict[tuple[int | None, str], int] = {}
        self.extra: dict[tuple[int | None, str], list[dt.datetime]] = defaultdict(list)

    @classmethod
    def for_batch(cls, batch: Iterable[OutboxMessage], now: dt.datetime) -> BudgetBook:
        del batch, now  # read lazily, per key, only for templates with a budget
        return cls()

    @staticmethod
    def _sent(key: tuple[int | None, str], now: dt.datetime):
        center_id, template = key
        # Only sent messages have a sent_at: no status test, so the count reads the
        # (center, template, sent_at) index alone.
        qs = OutboxMessage.objects.filter(
            template=template, sent_at__gt=now - dt.timedelta(hours=1)
        )
        if center_id is None:
            return qs.filter(center__isnull=True)
        return qs.filter(center_id=center_id)

    def count(self, message: OutboxMessage, now: dt.datetime) -> None:
        self.extra[(message.center_id, message.template)].append(now)

    def hold(
        self, message: OutboxMessage, template: SmsTemplate, now: dt.datetime
    ) -> tuple[dt.datetime, str] | None:
        limit = budget_for(template)
        if limit <= 0:
            return None
        key = (message.center_id, message.template)
        if key not in self.counts:
            self.counts[key] = self._sent(key, now).count()
        extra = [t for t in self.extra[key] if t > now - dt.timedelta(hours=1)]
        if self.counts[key] + len(extra) < limit:
            return None
        # This batch's own sends are committed rows by now, so the query sees them.
        times = sorted(self._sent(key, now).values_list("sent_at", flat=True)) or [now]
        budget_alert_raise(
            center_id=message.center_id, template=message.template, budget=limit, now=now
        )
        return times[max(0, len(times) - limit)] + dt.timedelta(hours=1, seconds=1), HOLD_REASON


def budget_alert_raise(
    *, center_id: int | None, template: str, budget: int, now: dt.datetime
) -> SmsBudgetAlert:
    """A center reached its hourly budget for a template: one alert per hour, counting the
    messages held. Managers see it in the admin and on the phone-call screen."""
    hour = now.astimezone(local_zone()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        alert, created = SmsBudgetAlert.objects.get_or_create(
            center_id=center_id,
            template=template,
            hour=hour,
            defaults={"budget": budget, "held": 1, "created_at": now},
        )
        if not created:
            SmsBudgetAlert.objects.filter(pk=alert.pk).update(held=models.F("held") + 1)
    if created:
        logger.warning(
            "SMS budget reached: center=%s template=%s budget=%s/h", center_id, template, budget
        )
    return alert


@transaction.atomic
def budget_alert_acknowledge(*, alert_id: int, actor: Any, now: dt.datetime | None = None) -> bool:
    """A manager has seen the alert (audited)."""
    now = now or timezone.now()
    changed = SmsBudgetAlert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    if changed:
        log_action(
            actor=actor,
            action="govhall.notifications.budget_alert.acknowledged",
            object_type="notifications.smsbudgetalert",
            object_id=alert_id,
            now=now,
        )
    return bool(changed)
