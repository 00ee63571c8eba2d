"""Periodic work of appointments, run by `manage.py run_worker`. Both jobs are idempotent
and safe with several workers: each row is claimed with a conditional update."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from govhall.appointments import selectors, services
from govhall.core.jobs import Job


def _parse(value: str, default: dt.time) -> dt.time:
    try:
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        return default


def in_quiet_hours(now: dt.datetime) -> bool:
    """Reminders are not queued at night (SMS_QUIET_START–SMS_QUIET_END, 21:00–08:00)."""
    start = _parse(getattr(settings, "SMS_QUIET_START", "21:00"), dt.time(21, 0))
    end = _parse(getattr(settings, "SMS_QUIET_END", "08:00"), dt.time(8, 0))
    t = timezone.localtime(now).time()
    if start > end:
        return t >= start or t < end
    return start <= t < end


def reminders_queue(now: dt.datetime) -> int:
    if in_quiet_hours(now):
        return 0
    done = 0
    for appointment, which in selectors.due_reminders(now):
        if services.appointment_remind(appointment=appointment, which=which, now=now):
            done += 1
    return done


def no_shows_mark(now: dt.datetime) -> int:
    done = 0
    for appointment in selectors.no_show_candidates(now):
        if services.appointment_mark_no_show(appointment=appointment, now=now):
            done += 1
    return done


JOBS = [
    Job("appointments.reminders", reminders_queue, 300),
    Job("appointments.no_shows", no_shows_mark, 300),
]
