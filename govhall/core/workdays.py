"""Official Chinese working days, the only way govhall counts legal periods.

Weekends are off, public holidays are off, adjusted weekend working days (调休) are on.
The calendar lives in CalendarYear/CalendarDay (seeded from the `chinese-calendar`
package, editable in the admin). A year without a CalendarYear row is counted with
weekends only and every answer that touches it is *provisional*.

Answers come from an in-memory cumulative index: `cum[k]` is the number of working days
from the index start up to and including day k, so adding N working days is two array
look-ups (O(1)). The index is rebuilt when the calendar changes: at once in this process
(model signals), and within CALENDAR_RECHECK_SECONDS in other processes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.dispatch import Signal
from django.utils import timezone

# Sent after commit when calendar years are entered or edited: receivers recompute the
# deadlines they stored as provisional. Keyword argument: years (set[int]).
calendar_changed = Signal()

INDEX_FIRST_YEAR = 2000
INDEX_YEARS_AHEAD = 30
CALENDAR_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class WorkdayResult:
    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class Deadline:
    """The end of the nth working day, center-local, and whether it is provisional."""

    due_at: dt.datetime
    due_date: dt.date
    provisional: bool


class _Index:
    def __init__(
        self, first_year: int, last_year: int, special: dict[dt.date, bool], known: set[int]
    ) -> None:
        self.first = dt.date(first_year, 1, 1)
        self.last = dt.date(last_year, 12, 31)
        self.base = self.first.toordinal()
        self.known_years = frozenset(known)
        self.special = special
        days = self.last.toordinal() - self.base + 1
        cum = array("l", [0]) * days
        ords = array("l")
        running = 0
        for k in range(days):
            day = dt.date.fromordinal(self.base + k)
            if _is_workday_raw(day, special):
                running += 1
                ords.append(self.base + k)
            cum[k] = running
        self.cum = cum
        self.workday_ords = ords


def _is_workday_raw(day: dt.date, special: dict[dt.date, bool]) -> bool:
    flag = special.get(day)
    if flag is not None:
        return flag
    return day.weekday() < 5


_lock = threading.Lock()
_index: _Index | None = None
_index_version: tuple | None = None
_checked_at = 0.0
_extra_years = 0


def _calendar_version() -> tuple:
    from govhall.core.models import CalendarDay, CalendarYear

    years = CalendarYear.objects.aggregate(n=Count("year"), latest=Max("updated_at"))
    days = CalendarDay.objects.aggregate(n=Count("id"), top=Max("id"))
    return (years["n"], years["latest"], days["n"], days["top"])


def _build() -> _Index:
    from govhall.core.models import CalendarDay, CalendarYear

    known = set(CalendarYear.objects.values_list("year", flat=True))
    special = {
        row.date: row.kind == CalendarDay.WORKDAY
        for row in CalendarDay.objects.only("date", "kind")
    }
    last_year = max([*known, timezone.localdate().year]) + INDEX_YEARS_AHEAD + _extra_years
    first_year = min([*known, INDEX_FIRST_YEAR])
    return _Index(first_year, last_year, special, known)


def invalidate() -> None:
    """Forget the index; the next question rebuilds it (model signals call this)."""
    global _index, _index_version, _checked_at
    with _lock:
        _index = None
        _index_version = None
        _checked_at = 0.0


def _current() -> _Index:
    global _index, _index_version, _checked_at
    now = time.monotonic()
    index = _index
    if index is not None and now - _checked_at < CALENDAR_RECHECK_SECONDS:
        return index
    with _lock:
        version = _calendar_version()
        if _index is None or version != _index_version:
            _index = _build()
            _index_version = version
        _checked_at = now
        return _index


def _index_for(*days: dt.date) -> _Index:
    global _extra_years
    index = _current()
    first, last = index.first, index.last
    for d in days:
        if not first <= d <= last:
            break
    else:
        return index
    if min(days) < index.first:
        raise ValueError(f"日期早于工作日历起始年份 {index.first.year}")
    # A date far in the future: widen the index (cumulatively) rather than guessing.
    _extra_years += max(days).year - index.last.year + 5
    invalidate()
    return _current()


def is_workday(day: dt.date) -> bool:
    index = _index_for(day)
    return _is_workday_raw(day, index.special)


def is_holiday(day: dt.date) -> bool:
    """A public holiday in the calendar table (weekend days inside a holiday period
    included); plain weekends and days of years the table lacks are not."""
    index = _index_for(day)
    return index.special.get(day) is False


def is_provisional(start: dt.date, end: dt.date) -> bool:
    """True if any year between start and end (inclusive) is not in the calendar table."""
    index = _current()
    low, high = sorted((start.year, end.year))
    return any(year not in index.known_years for year in range(low, high + 1))


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The nth working day after `day` (the start day itself is not counted).

    n = 0 returns `day`; a negative n counts backwards (-1: the last working day before).
    """
    if n == 0:
        return day
    index, position = _locate(_index_for(day), day, n)
    return dt.date.fromordinal(index.workday_ords[position])


def add_workdays_info(day: dt.date, n: int) -> WorkdayResult:
    """add_workdays, and whether the answer touches a year the table lacks."""
    result = add_workdays(day, n)
    return WorkdayResult(result, is_provisional(day, result))


def _locate(index: _Index, day: dt.date, n: int) -> tuple[_Index, int]:
    """The index holding the answer (widened if needed) and its position in workday_ords."""
    offset = day.toordinal() - index.base
    if n > 0:
        position = index.cum[offset] + n - 1  # cum counts working days up to `day`
        if position >= len(index.workday_ords):
            wider = _index_for(day, day + dt.timedelta(days=n * 2 + 30))
            return _locate(wider, day, n)
        return index, position
    before = index.cum[offset] - (1 if _is_workday_raw(day, index.special) else 0)
    position = before + n
    if position < 0:
        raise ValueError("日期早于工作日历起始年份")
    return index, position


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`.

    Consistent with add_workdays: workdays_between(d, add_workdays(d, n)) == n. Negative
    when end is before start.
    """
    index = _index_for(start, end)
    return index.cum[end.toordinal() - index.base] - index.cum[start.toordinal() - index.base]


def next_workday_on_or_after(day: dt.date) -> dt.date:
    index = _index_for(day)
    position = bisect.bisect_left(index.workday_ords, day.toordinal())
    return dt.date.fromordinal(index.workday_ords[position])


def end_of_day(day: dt.date) -> dt.datetime:
    """The close of a center-local day (23:59:59), timezone-aware.

    Center-local is settings.TIME_ZONE, whatever time zone a request may have activated.
    """
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=timezone.get_default_timezone())


def deadline_at(received_at: dt.datetime, n: int) -> dt.datetime:
    """End of the nth working day after the (center-local) day of `received_at`."""
    return deadline_info(received_at, n).due_at


def deadline_info(received_at: dt.datetime, n: int) -> Deadline:
    local_day = timezone.localtime(received_at, timezone.get_default_timezone()).date()
    result = add_workdays_info(local_day, n)
    return Deadline(end_of_day(result.date), result.date, result.provisional)


def known_years() -> frozenset[int]:
    return _current().known_years


def missing_years_ahead(today: dt.date | None = None, ahead: int = 1) -> list[int]:
    """Years from this one to `ahead` years on that the table lacks (admins are warned)."""
    today = today or timezone.localdate()
    known = known_years()
    return [y for y in range(today.year, today.year + ahead + 1) if y not in known]


# The State Council publishes next year's holidays in November or December, so next year's
# absence is overdue only from this (month, day) on; earlier it is a plain notice.
NEXT_YEAR_REQUIRED_FROM = (12, 1)


def overdue_missing_years(today: dt.date | None = None) -> list[int]:
    """Missing years that should have been entered by now: this year always, next year
    from settings.CALENDAR_NEXT_YEAR_REQUIRED_FROM (default 1 December) on. A warning to
    admins, never an outage: deadlines in those years are provisional (DESIGN.md 5)."""
    today = today or timezone.localdate()
    month, day = getattr(settings, "CALENDAR_NEXT_YEAR_REQUIRED_FROM", NEXT_YEAR_REQUIRED_FROM)
    required_from = dt.date(today.year, month, day)
    return [y for y in missing_years_ahead(today) if y == today.year or today >= required_from]


# --- change notification ------------------------------------------------------------

_batch = threading.local()


def calendar_touched(years: set[int]) -> None:
    """The calendar of `years` changed in the current transaction.

    The index is dropped at once; `calendar_changed` is sent once after commit (inside a
    `calendar_batch()` once for the whole batch, however many rows were saved).
    """
    invalidate()
    pending = getattr(_batch, "years", None)
    if pending is not None:
        pending.update(years)
        return
    _send_on_commit(set(years))


@contextmanager
def calendar_batch() -> Iterator[None]:
    """Collect every calendar change made inside into one `calendar_changed` signal."""
    if getattr(_batch, "years", None) is not None:
        yield  # nested: the outermost batch sends
        return
    _batch.years = set()
    try:
        yield
        years = _batch.years
    finally:
        _batch.years = None
    if years:
        invalidate()
        _send_on_commit(years)


def _send_on_commit(years: set[int]) -> None:
    def send() -> None:
        # Other processes see the new calendar within CALENDAR_RECHECK_SECONDS; this one
        # at once, before receivers recompute.
        invalidate()
        calendar_changed.send(sender=None, years=frozenset(years))

    transaction.on_commit(send)
