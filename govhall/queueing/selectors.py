"""Reads of the queue: positions, wait estimates, board state, window state, 空窗 alerts."""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from govhall.core.caching import ProcessCache
from govhall.core.masking import mask_phone
from govhall.org.models import Center, Window
from govhall.org.selectors import Scope
from govhall.queueing.models import (
    IdleIncident,
    QueueConfig,
    Ticket,
    TicketCategory,
    TicketCounter,
    TicketEvent,
    WindowSession,
    WindowSkill,
    local_day,
)
from govhall.queueing.selectors_line import (  # noqa: F401  (the ordering rule, re-exported)
    LINE_ORDER,
    line_position,
    window_candidates,
    window_next,
    window_order_key,
    window_skills,
)

RECENT_SERVICE_SAMPLE = 10


@dataclass(frozen=True)
class Config:
    idle_minutes: int
    pause_max_minutes: int
    recall_limit: int


# Centers and ticket categories change rarely (admin edits) and every kiosk issue needs
# them: each process keeps what it read for a few seconds instead of two queries a ticket.
_config = ProcessCache(
    "queue-config", seconds=5.0, max_entries=1000, clear_on=(Center, TicketCategory, Window)
)


def cached_row(key: tuple, load: Any) -> Any:
    """A row the API reads on every request (center, category, window), kept a few seconds."""
    return _config.get(key, load)


def config_for(center: Center) -> Config:
    """Per-center row if any, else settings (QUEUE_IDLE_MINUTES, QUEUE_PAUSE_MAX_MINUTES,
    QUEUE_RECALL_LIMIT), else 10 / 15 / 2."""
    row = QueueConfig.objects.filter(center_id=center.pk).first()
    if row is not None:
        return Config(max(1, row.idle_minutes), max(1, row.pause_max_minutes), row.recall_limit)
    return Config(
        max(1, getattr(settings, "QUEUE_IDLE_MINUTES", 10)),
        max(1, getattr(settings, "QUEUE_PAUSE_MAX_MINUTES", 15)),
        getattr(settings, "QUEUE_RECALL_LIMIT", 2),
    )


_configs = ProcessCache("queue-config-row", seconds=5.0, clear_on=(QueueConfig,))


def cached_config(center: Center) -> Config:
    """config_for, kept a few seconds per process (read by every recall and no-show)."""
    key = (
        center.pk,
        getattr(settings, "QUEUE_IDLE_MINUTES", 10),
        getattr(settings, "QUEUE_PAUSE_MAX_MINUTES", 15),
        getattr(settings, "QUEUE_RECALL_LIMIT", 2),
    )
    return _configs.get(key, lambda: config_for(center))


def categories_of(center: Center) -> QuerySet[TicketCategory]:
    return TicketCategory.objects.filter(center=center, is_active=True).select_related("zone")


def open_windows_per_category(center: Center) -> dict[int, int]:
    """Windows currently serving (session open, not paused), per category they serve."""
    rows = (
        WindowSkill.objects.filter(
            window__center=center,
            window__sessions__closed_at__isnull=True,
            window__sessions__state=WindowSession.State.OPEN,
        )
        .values("category_id")
        .annotate(n=Count("window_id", distinct=True))
    )
    return {r["category_id"]: r["n"] for r in rows}


def waiting_per_category(center: Center, day: dt.date) -> dict[int, int]:
    """Waiting tickets per category: the counts the database keeps on each category's
    counter of the day (TicketCounter, by triggers), not a count of the lines — the board
    rebuilds after every call, and counting thousands waiting held every board's poll."""
    rows = TicketCounter.objects.filter(category__center=center, day=day).values_list(
        "category_id", "waiting_first", "waiting_rest"
    )
    return {category_id: first + rest for category_id, first, rest in rows if first + rest}


def mean_service_minutes(category: TicketCategory, now: dt.datetime) -> float:
    """Mean service time of the category's last finished tickets today; the category's
    default before there is any."""
    rows = list(
        Ticket.objects.filter(
            category=category,
            day=local_day(now),
            status=Ticket.Status.DONE,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("called_at", "started_at", "finished_at")[:RECENT_SERVICE_SAMPLE]
    )
    durations = [
        (fin - (start or called)).total_seconds() / 60
        for called, start, fin in rows
        if (start or called) is not None
    ]
    if not durations:
        return float(category.default_service_minutes)
    return max(0.5, sum(durations) / len(durations))


def estimate_minutes(ahead: int, mean_minutes: float, open_windows: int) -> int:
    """People ahead × mean service time ÷ windows serving the category (at least one)."""
    return math.ceil(ahead * mean_minutes / max(1, open_windows))


def ticket_ahead(ticket: Ticket) -> int:
    """People ahead in the ticket's own category, by the line order (LINE_ORDER): one
    range count on the ticket_line_idx index."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    rank, at = ticket.rank, ticket.original_issued_at
    before = (
        Q(rank__lt=rank)
        | Q(rank=rank, original_issued_at__lt=at)
        | Q(rank=rank, original_issued_at=at, id__lt=ticket.pk)
    )
    return (
        Ticket.objects.filter(
            category_id=ticket.category_id, day=ticket.day, status=Ticket.Status.WAITING
        )
        .filter(before)
        .count()
    )


ESTIMATE_CACHE_SECONDS = 10


def category_pace(category: TicketCategory, now: dt.datetime) -> tuple[float, int]:
    """(mean service minutes, windows serving now) of a category. Cached a few seconds:
    an estimate does not need to be exact to the call, and every kiosk issue asks."""
    key = f"queue:pace:{category.pk}:{local_day(now)}"
    pace = cache.get(key)
    if pace is None:
        opened = open_windows_per_category(category.center).get(category.pk, 0)
        pace = (mean_service_minutes(category, now), opened)
        cache.set(key, pace, ESTIMATE_CACHE_SECONDS)
    return pace


def ticket_estimate(ticket: Ticket, now: dt.datetime, ahead: int | None = None) -> int:
    if ticket.status != Ticket.Status.WAITING:
        return 0
    ahead = ticket_ahead(ticket) if ahead is None else ahead
    mean, opened = category_pace(ticket.category, now)
    return estimate_minutes(ahead, mean, opened)


def ticket_status_url(ticket: Ticket) -> str:
    """The ticket's public status page, with its query token (what the slip's QR holds)."""
    return f"{settings.SITE_URL}{_ticket_page_path().format(ticket.pk)}?t={ticket.token}"


@functools.cache
def _ticket_page_path() -> str:
    # Reversed once (per process) with a marker for the id: reverse() on every issue
    # cost more than the rest of the answer's fields.
    return reverse("queueing:ticket_page", args=[123456789]).replace("123456789", "{}")


def public_ticket(ticket_id: int, token: str) -> Ticket | None:
    """The ticket a status link names, if its query token matches (compared in constant
    time: the token is the only secret of the public status page)."""
    ticket = (
        Ticket.objects.select_related("center", "category", "category__zone", "window")
        .filter(pk=ticket_id)
        .order_by("pk")
        .first()
    )
    if (
        ticket is None
        or not token
        or not secrets.compare_digest(ticket.token.encode(), str(token).encode())
    ):
        return None
    return ticket


def live_ticket(ticket: Ticket) -> Ticket:
    """Follow transfers to the ticket the person is now waiting on."""
    seen = 0
    while ticket.status == Ticket.Status.TRANSFERRED and seen < 20:
        nxt = (
            Ticket.objects.filter(transferred_from=ticket)
            .select_related("center", "category", "category__zone", "window")
            .first()
        )
        if nxt is None:
            break
        ticket, seen = nxt, seen + 1
    return ticket


def ticket_public(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """What the person holding the ticket may see (phone masked)."""
    ticket = live_ticket(ticket)
    ahead = ticket_ahead(ticket)
    zone = ticket.category.zone
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "center": ticket.center.code,
        "center_name": ticket.center.name,
        "category": ticket.category.name,
        "category_letter": ticket.category.letter,
        "zone": str(zone) if zone else "",
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "priority": ticket.is_priority,
        "priority_group": ticket.priority_group,
        "is_appointment": ticket.is_appointment,
        "position": ahead + 1 if ticket.status == Ticket.Status.WAITING else 0,
        "ahead": ahead,
        "estimated_wait_minutes": ticket_estimate(ticket, now, ahead),
        "window": ticket.window.number if ticket.window_id else None,
        "window_name": str(ticket.window) if ticket.window_id else "",
        "target_window": ticket.target_window.number if ticket.target_window_id else None,
        "phone": mask_phone(ticket.phone),
        "issued_at": timezone.localtime(ticket.issued_at).isoformat(),
        "called_at": timezone.localtime(ticket.called_at).isoformat() if ticket.called_at else None,
    }


def queue_status(center: Center, now: dt.datetime) -> list[dict[str, Any]]:
    day = local_day(now)
    waiting = waiting_per_category(center, day)
    opened = open_windows_per_category(center)
    result = []
    for cat in categories_of(center):
        mean = mean_service_minutes(cat, now)
        n = waiting.get(cat.pk, 0)
        result.append(
            {
                "category": cat.letter,
                "name": cat.name,
                "zone": str(cat.zone) if cat.zone else "",
                "waiting": n,
                "open_windows": opened.get(cat.pk, 0),
                "mean_service_minutes": round(mean, 1),
                "estimated_wait_minutes": estimate_minutes(n, mean, opened.get(cat.pk, 0)),
            }
        )
    return result


def num_key(number: str) -> tuple:
    return (0, int(number)) if number.isdigit() else (1, number)


# --- windows and alerts --------------------------------------------------------------------


def windows_state(center: Center) -> list[dict[str, Any]]:
    sessions = {
        s.window_id: s
        for s in WindowSession.objects.filter(
            window__center=center, closed_at__isnull=True
        ).select_related("staff")
    }
    skills: dict[int, list[WindowSkill]] = {}
    for s in WindowSkill.objects.filter(window__center=center).select_related("category"):
        skills.setdefault(s.window_id, []).append(s)
    windows = list(Window.objects.filter(center=center, is_active=True).select_related("zone"))
    current = dict(
        Ticket.objects.filter(
            window_id__in=[w.pk for w in windows],
            day=local_day(timezone.now()),
            status__in=Ticket.ACTIVE,
        )
        .order_by()
        .values_list("window_id", "number")
    )
    result = []
    for w in windows:
        session = sessions.get(w.pk)
        result.append(
            {
                "id": w.pk,
                "number": w.number,
                "name": w.name,
                "kind": w.kind,
                "kind_label": w.get_kind_display(),
                "zone": w.zone.code if w.zone else None,
                "categories": [
                    s.category.letter
                    for s in sorted(skills.get(w.pk, []), key=lambda s: (not s.is_primary, s.order))
                ],
                "primary_category": next(
                    (s.category.letter for s in skills.get(w.pk, []) if s.is_primary), None
                ),
                "state": session.state if session else "closed",
                "pause_reason": session.pause_reason if session else "",
                "staff": str(session.staff) if session else None,
                "current_ticket": current.get(w.pk),
            }
        )
    return sorted(result, key=lambda r: num_key(r["number"]))


def incidents_for(scope: Scope, *, open_only: bool = True) -> QuerySet[IdleIncident]:
    qs = IdleIncident.objects.select_related("window", "window__center", "staff", "session")
    qs = scope.filter(qs, center_field="window__center")
    if open_only:
        qs = qs.filter(ended_at__isnull=True)
    return qs.order_by("-started_at")


def waiting_for_window(window: Window, day: dt.date) -> int:
    return window_candidates(window, day).count()


def latest_event_at(center: Center) -> dt.datetime | None:
    return TicketEvent.objects.filter(center=center).aggregate(m=Max("at"))["m"]


def window_current_ticket(window: Window) -> Ticket | None:
    """The ticket called to (or being served at) a window, with the items it covers: the
    window console's intake form opens from it (cases)."""
    return (
        Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE)
        .select_related("category")
        .prefetch_related("items", "category__items")
        .order_by("-called_at", "-id")
        .first()
    )
