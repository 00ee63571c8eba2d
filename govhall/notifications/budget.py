"""Per-center hourly SMS budget per template (against SMS pumping through anonymous
channels). When a center has sent a template's budget in the last hour, further messages of
that template wait (status `pending`, `hold_reason`) until the oldest of the hour's sends
leaves the window; nothing is lost. The first held message of an hour raises an
`SmsBudgetAlert` for the center's managers (services.budget_alert_raise)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

from govhall.notifications.models import OutboxMessage, SmsTemplate

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
        from govhall.notifications.services import budget_alert_raise

        budget_alert_raise(
            center_id=message.center_id, template=message.template, budget=limit, now=now
        )
        return times[max(0, len(times) - limit)] + dt.timedelta(hours=1, seconds=1), HOLD_REASON
