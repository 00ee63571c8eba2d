"""Reads of the queue: positions, wait estimates, board state, window state, 空窗 alerts."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from govhall.core.masking import mask_phone
from govhall.org.models import Center, Window
from govhall.org.selectors import Scope
from govhall.queueing.models import (
    IdleIncident,
    QueueConfig,
    Ticket,
    TicketCategory,
    TicketEvent,
    WindowSession,
    WindowSkill,
    local_day,
)
from govhall.queueing.statements import current_numbers, fetchone

RECENT_SERVICE_SAMPLE = 10


@dataclass(frozen=True)
class Config:
    idle_minutes: int
    pause_max_minutes: int
    recall_limit: int


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
    rows = (
        Ticket.objects.filter(center=center, day=day, status=Ticket.Status.WAITING)
        .values("category_id")
        .annotate(n=Count("id"))
    )
    return {r["category_id"]: r["n"] for r in rows}


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


_AHEAD_SQL = (
    f"SELECT COUNT(*) FROM {Ticket._meta.db_table} "
    f"WHERE category_id = %s AND day = %s AND status = '{Ticket.Status.WAITING}' "
    "AND (rank < %s OR (rank = %s AND "
    "(original_issued_at < %s OR (original_issued_at = %s AND id < %s))))"
)


def ticket_ahead(ticket: Ticket) -> int:
    """People ahead in the ticket's own category, by the queue order (rank, time, id).

    Written out rather than built with Q objects: every kiosk issue and every status poll
    asks, and the query is one range count on the ticket_waiting_line_idx index."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    at = connection.ops.adapt_datetimefield_value(ticket.original_issued_at)
    day = connection.ops.adapt_datefield_value(ticket.day)
    params = [ticket.category_id, day, ticket.rank, ticket.rank, at, at, ticket.pk]
    return int(fetchone(_AHEAD_SQL, params)[0])


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
            for w in sorted(windows, key=lambda w: _num_key(w.number))
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


def _num_key(number: str) -> tuple:
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
    current = current_numbers([w.pk for w in windows])
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
    return sorted(result, key=lambda r: _num_key(r["number"]))


def incidents_for(scope: Scope, *, open_only: bool = True) -> QuerySet[IdleIncident]:
    qs = IdleIncident.objects.select_related("window", "window__center", "staff", "session")
    qs = scope.filter(qs, center_field="window__center")
    if open_only:
        qs = qs.filter(ended_at__isnull=True)
    return qs.order_by("-started_at")


def waiting_for_window(window: Window, day: dt.date) -> int:
    cats = WindowSkill.objects.filter(window=window).values_list("category_id", flat=True)
    return Ticket.objects.filter(
        Q(category_id__in=list(cats), target_window__isnull=True) | Q(target_window=window),
        center_id=window.center_id,
        day=day,
        status=Ticket.Status.WAITING,
    ).count()


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


# --- reads for other apps (evaluations) ----------------------------------------------------


def ticket_get(ticket_id: int) -> Ticket | None:
    """One ticket by id with what is shown about its service (window, clerk, items)."""
    return (
        Ticket.objects.select_related("center", "category", "window", "window__department", "staff")
        .prefetch_related("items")
        .filter(pk=ticket_id)
        .first()
    )


def window_last_finished(window_id: int, since: dt.datetime) -> Ticket | None:
    """The ticket last finished at a window since a moment (the evaluator device wakes on
    it)."""
    return (
        Ticket.objects.select_related("staff", "window", "center")
        .filter(window_id=window_id, status=Ticket.Status.DONE, finished_at__gte=since)
        .order_by("-finished_at", "-id")
        .first()
    )


def tickets_finished_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Ticket]:
    """Finished tickets that left a phone number, in a time range (evaluation invitations)."""
    return (
        Ticket.objects.select_related("category")
        .filter(status=Ticket.Status.DONE, finished_at__gte=start, finished_at__lt=end)
        .exclude(phone="")
        .order_by("finished_at", "id")
    )
