"""Reads of the hall display board (6.3.4): its state and the version boards poll."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhall.org.models import Center, Window
from govhall.queueing.models import (
    Ticket,
    TicketEvent,
    local_day,
)
from govhall.queueing.selectors import categories_of, num_key, waiting_per_category

# --- board ---------------------------------------------------------------------------------


def board_version(center_id: int) -> int:
    """The id of the center's latest ticket event: any change a board shows writes one."""
    return (
        TicketEvent.objects.filter(center_id=center_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )


def board_state(center: Center, now: dt.datetime, zones: list[str] | None = None) -> dict:
    """Latest call per window, recent calls (for the voice), waiting per category."""
    day = local_day(now)
    windows = list(Window.objects.filter(center=center, is_active=True).select_related("zone"))
    cats = list(categories_of(center))
    if zones:
        windows = [w for w in windows if w.zone and w.zone.code in zones]
        cats = [c for c in cats if c.zone and c.zone.code in zones]
    window_ids = {w.pk for w in windows}
    latest: dict[int, dict] = {}
    for t in (
        Ticket.objects.filter(center=center, day=day, window_id__in=window_ids)
        .exclude(called_at__isnull=True)
        .order_by("-called_at")
        .values("window_id", "number", "status", "called_at")[:200]
    ):
        latest.setdefault(t["window_id"], t)
    start_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    calls = list(
        TicketEvent.objects.filter(
            center=center,
            action__in=["call", "recall"],
            window_id__in=window_ids,
            at__gte=start_of_day,
        )
        .order_by("-id")
        .values("id", "ticket__number", "window__number", "action", "at")[:8]
    )
    waiting = waiting_per_category(center, day)
    return {
        "center": center.code,
        "center_name": center.name,
        "notice": center.public_notice,
        "version": board_version(center.pk),
        "windows": [
            {
                "number": w.number,
                "name": w.name or w.get_kind_display(),
                "ticket": latest[w.pk]["number"] if w.pk in latest else None,
                "status": latest[w.pk]["status"] if w.pk in latest else None,
            }
            for w in sorted(windows, key=lambda w: num_key(w.number))
        ],
        "calls": [
            {
                "event": c["id"],
                "number": c["ticket__number"],
                "window": c["window__number"],
                "recall": c["action"] == "recall",
                "at": timezone.localtime(c["at"]).strftime("%H:%M:%S"),
            }
            for c in calls
        ],
        "categories": [
            {"letter": c.letter, "name": c.name, "waiting": waiting.get(c.pk, 0)} for c in cats
        ],
    }
