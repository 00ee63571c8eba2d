"""What the kiosk and the guide desk tell a person instead of issuing a ticket: the item
is handled elsewhere (6.2.1: the guide names where), or the center is closed now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.org import selectors_hours as hours
from govhall.org.models import Center

WEEKDAYS = "一二三四五六日"


def elsewhere(item: ServiceItem | None) -> dict[str, Any] | None:
    """Where an item this center does not handle is handled, from its published guide."""
    if item is None or item.published is None or item.published.handled_here:
        return None
    guide = item.published
    return {"place": guide.outside_place or "见办理路径", "path": guide.outside_path}


def next_opening(center: Center, now: dt.datetime) -> dt.datetime | None:
    """None while the center is open (regular hours on a working day, or an extended
    session, 6.7.4); otherwise the moment it next opens."""
    return hours.next_opening(center, now, horizon_days=40)


def closed_notice(center: Center, now: dt.datetime) -> str:
    """Empty while open; otherwise when the center opens, in words for the kiosk screen."""
    opening = next_opening(center, now)
    if opening is None:
        return ""
    today = timezone.localtime(now).date()
    date = f"{opening.month}月{opening.day}日（星期{WEEKDAYS[opening.weekday()]}）"
    if opening.date() == today:
        when = f"今天 {opening:%H:%M}"
    elif opening.date() == today + dt.timedelta(days=1):
        when = f"明天 {date}{opening:%H:%M}"
    else:
        when = f"{date}{opening:%H:%M}"
    return f"现在不是办公时间，暂停取号。本中心将于{when}开始办公，届时再来取号。"
