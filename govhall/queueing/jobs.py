"""Periodic queue work: 空窗 (5.6.3) detection and the day's-end sweep of stale tickets."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.core.jobs import Job
from govhall.org import selectors_hours as hours
from govhall.org.models import Center, Window
from govhall.queueing.models import IdleIncident, Ticket, WindowSession
from govhall.queueing.selectors import config_for, waiting_for_window
from govhall.queueing.services import audit_chain, tickets_close_stale


def period_start(
    center: Center, moment: dt.datetime, window: Window | None = None
) -> dt.datetime | None:
    """Start of the opening period `moment` falls in for `window`: regular morning or
    afternoon hours on a working day, or an extended session (6.7.4) that opens this
    window; None when the window is closed then (lunch break, evening, weekend, holiday
    without a session for it)."""
    return hours.period_start(center, moment, window)


def _open_incident(
    session: WindowSession, kind: str, since: dt.datetime, waiting: int, now: dt.datetime
) -> bool:
    if IdleIncident.objects.filter(
        window_id=session.window_id, kind=kind, ended_at__isnull=True
    ).exists():
        return False
    try:
        with transaction.atomic():
            incident = IdleIncident.objects.create(
                window_id=session.window_id,
                session=session,
                staff_id=session.staff_id,
                kind=kind,
                started_at=since,
                detected_at=now,
                people_waiting=waiting,
            )
            log_action(
                actor=None,
                action="govhall.queueing.idle.opened",
                obj=incident,
                data={"window": session.window.number, "kind": kind, "waiting": waiting},
                chain=audit_chain(session.window.center, f"w{session.window.number}"),
                now=now,
            )
    except IntegrityError:
        return False  # another worker opened it first (one open incident per window and kind)
    return True


def detect_idle_windows(now: dt.datetime) -> int:
    """Open a 空窗 incident for each window whose session is open during opening hours
    with nobody acting for N minutes (or paused longer than allowed) while people wait for
    its categories. Idempotent; incidents end when staff act again (see services._touch)."""
    opened = 0
    sessions = WindowSession.objects.filter(closed_at__isnull=True).select_related(
        "window", "window__center"
    )
    for session in sessions:
        center = session.window.center
        start = period_start(center, now, session.window)
        if start is None:
            continue
        cfg = config_for(center)
        if session.state == WindowSession.State.OPEN:
            kind, since = IdleIncident.Kind.NO_ACTIVITY, session.last_activity_at
            limit = dt.timedelta(minutes=cfg.idle_minutes)
        else:
            kind, since = IdleIncident.Kind.PAUSED_TOO_LONG, session.paused_at or session.opened_at
            limit = dt.timedelta(minutes=cfg.pause_max_minutes)
        # Time before the period opened (lunch break, before 9:00) is not idle time.
        since = max(since, start)
        if now - since < limit:
            continue
        if (
            kind == IdleIncident.Kind.NO_ACTIVITY
            and Ticket.objects.filter(
                window_id=session.window_id, status__in=Ticket.ACTIVE
            ).exists()
        ):
            continue  # serving someone: a long service is not 空窗
        waiting = waiting_for_window(session.window, timezone.localtime(now).date())
        if waiting == 0:
            continue
        opened += _open_incident(session, kind, since, waiting, now)
    return opened


def close_stale_tickets(now: dt.datetime) -> int:
    return tickets_close_stale(now=now)


JOBS = [
    Job("queueing.detect_idle_windows", detect_idle_windows, 60),
    Job("queueing.close_stale_tickets", close_stale_tickets, 600),
]
