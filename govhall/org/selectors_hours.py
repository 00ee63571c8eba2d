"""Reads of a center's opening time: regular hours on working days plus its extended
service sessions (6.7.4). The portal, the board, the kiosk and the 空窗 job read these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from govhall.core import workdays
from govhall.org.models import Center, ExtendedService, Window


@dataclass(frozen=True)
class Session:
    """One extended session on one day, with the windows and zones it opens."""

    service: ExtendedService
    start: dt.datetime
    end: dt.datetime
    window_ids: frozenset[int]
    zone_ids: frozenset[int]

    def covers(self, window: Window | None) -> bool:
        if window is None:
            return True
        return self.covers_ids(window.pk, window.zone_id)

    def covers_ids(self, window_id: int, zone_id: int | None) -> bool:
        return self.service.covers(window_id, zone_id, set(self.window_ids), set(self.zone_ids))


def extended_services_of(center: Center, *, published_only: bool = False) -> list[ExtendedService]:
    qs = ExtendedService.objects.filter(center=center, is_active=True).prefetch_related(
        "windows", "zones"
    )
    if published_only:
        qs = qs.filter(published=True)
    return list(qs)


def extended_hours_for(
    center: Center, day: dt.date, *, services: list[ExtendedService] | None = None
) -> list[Session]:
    """The extended sessions the center keeps on `day`, in time order."""
    found = services if services is not None else extended_services_of(center)
    workday = workdays.is_workday(day)
    holiday = workdays.is_holiday(day)
    tz = timezone.get_default_timezone()
    sessions = [
        Session(
            service=s,
            start=dt.datetime.combine(day, s.start, tz),
            end=dt.datetime.combine(day, s.end, tz),
            window_ids=frozenset(w.pk for w in s.windows.all()),
            zone_ids=frozenset(z.pk for z in s.zones.all()),
        )
        for s in found
        if s.applies_on(day, workday=workday, holiday=holiday)
    ]
    return sorted(sessions, key=lambda x: (x.start, x.end))


def regular_period_start(center: Center, moment: dt.datetime) -> dt.datetime | None:
    """Start of the regular morning or afternoon period `moment` falls in on a working
    day, or None."""
    local = timezone.localtime(moment)
    if not workdays.is_workday(local.date()) or not center.is_open_at(local):
        return None
    opened = center.morning_open if local.time() < center.morning_close else center.afternoon_open
    return local.replace(hour=opened.hour, minute=opened.minute, second=0, microsecond=0)


def extended_session_at(
    center: Center, moment: dt.datetime, window: Window | None = None
) -> Session | None:
    """The extended session running at `moment` (for `window`, one that opens it)."""
    local = timezone.localtime(moment)
    for session in extended_hours_for(center, local.date()):
        if session.start <= local < session.end and session.covers(window):
            return session
    return None


def period_start(
    center: Center, moment: dt.datetime, window: Window | None = None
) -> dt.datetime | None:
    """Start of the opening period `moment` falls in — regular hours, or an extended
    session that opens `window` (any window when None) — or None when closed then.
    Back-to-back periods (morning, then a lunch session) count from the later one."""
    regular = regular_period_start(center, moment)
    session = extended_session_at(center, moment, window)
    starts = [s for s in (regular, session.start if session else None) if s is not None]
    return max(starts) if starts else None


def is_open_at(center: Center, moment: dt.datetime, window: Window | None = None) -> bool:
    """Open at `moment`: regular hours on a working day, or an extended session (one that
    opens `window`, when given)."""
    return period_start(center, moment, window) is not None


def next_opening(center: Center, now: dt.datetime, *, horizon_days: int = 14) -> dt.datetime | None:
    """None while open; otherwise the next moment regular hours or an extended session
    begin (within `horizon_days`)."""
    if is_open_at(center, now):
        return None
    local = timezone.localtime(now)
    tz = local.tzinfo
    services = extended_services_of(center)
    for offset in range(horizon_days + 1):
        day = local.date() + dt.timedelta(days=offset)
        starts = [s.start for s in extended_hours_for(center, day, services=services)]
        if workdays.is_workday(day):
            starts += [
                dt.datetime.combine(day, center.morning_open, tz),
                dt.datetime.combine(day, center.afternoon_open, tz),
            ]
        upcoming = [s for s in starts if s > local]
        if upcoming:
            return min(upcoming)
    return None


def schedule_lines(center: Center) -> list[str]:
    """The published extended sessions in words, for the portal, the board and the kiosk:
    "周末 星期六 09:00—12:00 周末服务（1号、2号窗口）需预约"."""
    lines = []
    for s in extended_services_of(center, published_only=True):
        where = [str(w) for w in s.windows.all()] + [z.name for z in s.zones.all()]
        text = f"{s.days_text()} {s.start:%H:%M}—{s.end:%H:%M} {s.get_kind_display()}"
        if where:
            text += f"（{'、'.join(where)}）"
        if s.by_appointment:
            text += " 需提前预约"
        if s.note:
            text += f"：{s.note}"
        lines.append(text)
    return lines


def today_lines(center: Center, now: dt.datetime) -> list[str]:
    """Today's published extended sessions in words (board and kiosk)."""
    day = timezone.localtime(now).date()
    published = extended_services_of(center, published_only=True)
    return [
        f"{s.start:%H:%M}—{s.end:%H:%M} {s.service.get_kind_display()}"
        + (f"（{'、'.join(str(w) for w in s.service.windows.all())}）" if s.window_ids else "")
        for s in extended_hours_for(center, day, services=published)
    ]
