import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core.checks import Warning as CheckWarning
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govhall.core import workdays
from govhall.core.checks import calendar_years_entered
from govhall.core.models import CalendarDay, CalendarYear
from govhall.core.services import calendar_year_enter
from govhall.core.testing import missing_year, weekday_on_or_after

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def brute_add(day: dt.date, n: int) -> dt.date:
    """The nth working day after `day`, by walking the official calendar day by day."""
    current, step, left = day, (1 if n > 0 else -1), abs(n)
    while left:
        current += dt.timedelta(days=step)
        if chinese_calendar.is_workday(current):
            left -= 1
    return current


# --- the 2026 calendar -------------------------------------------------------------------


def test_spring_festival_2026_five_workdays():
    # Fri 13 Feb received; Sat 14 Feb is 调休 (on); 15–23 Feb Spring Festival (off).
    assert workdays.is_workday(D(2026, 2, 14))
    for day in range(15, 24):
        assert not workdays.is_workday(D(2026, 2, day)), day
    assert workdays.is_workday(D(2026, 2, 28))  # Saturday, 调休
    assert workdays.add_workdays(D(2026, 2, 13), 5) == D(2026, 2, 27)
    assert workdays.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workdays.add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert workdays.workdays_between(D(2026, 2, 13), D(2026, 2, 27)) == 5


def test_national_day_2026_matches_the_package():
    # chinese-calendar 2026: 1–7 Oct off, 8 Oct (Thu) on, Sun 20 Sep and Sat 10 Oct on.
    for day in range(1, 8):
        assert not workdays.is_workday(D(2026, 10, day)), day
    assert workdays.is_workday(D(2026, 10, 8))
    assert workdays.is_workday(D(2026, 9, 20))
    assert workdays.is_workday(D(2026, 10, 10))
    assert not workdays.is_workday(D(2026, 10, 11))  # ordinary Sunday
    assert workdays.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_every_day_2004_to_2026_agrees_with_chinese_calendar():
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert workdays.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_zero_returns_the_day_itself_even_on_a_holiday():
    assert workdays.add_workdays(D(2026, 2, 16), 0) == D(2026, 2, 16)
    assert workdays.add_workdays(D(2026, 2, 13), 0) == D(2026, 2, 13)


def test_negative_counts_backwards():
    assert workdays.add_workdays(D(2026, 2, 24), -1) == D(2026, 2, 14)
    assert workdays.add_workdays(D(2026, 2, 16), -1) == D(2026, 2, 14)  # from a holiday
    assert workdays.add_workdays(D(2026, 2, 24), -2) == D(2026, 2, 13)
    assert workdays.add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert workdays.workdays_between(D(2026, 2, 24), D(2026, 2, 13)) == -2


def test_next_workday_on_or_after():
    assert workdays.next_workday_on_or_after(D(2026, 2, 15)) == D(2026, 2, 24)
    assert workdays.next_workday_on_or_after(D(2026, 2, 24)) == D(2026, 2, 24)


def test_far_future_and_too_early_dates():
    # The index widens itself for dates far ahead (weekends only, provisional) ...
    far = workdays.add_workdays_info(D(2090, 1, 2), 1)  # a Monday
    assert far.date == D(2090, 1, 3) and far.provisional
    assert workdays.add_workdays(D(2026, 2, 13), 20000) > D(2100, 1, 1)
    # ... and refuses dates before its first year instead of guessing.
    with pytest.raises(ValueError):
        workdays.add_workdays(D(1990, 1, 1), 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=st.dates(min_value=D(2005, 1, 1), max_value=D(2026, 10, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_property_add_workdays_matches_brute_force(day, n):
    result = workdays.add_workdays(day, n)
    assume(result.year <= 2026)
    assert result == brute_add(day, n)
    assert workdays.workdays_between(day, result) == n
    assert not workdays.add_workdays_info(day, n).provisional


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=st.dates(min_value=D(2005, 3, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_property_negative_counts_match_brute_force(day, n):
    result = workdays.add_workdays(day, -n)
    assert result == brute_add(day, -n)
    # From a working day, workdays_between inverts it exactly; from a day off, it counts
    # from the last working day before it.
    anchor = day if chinese_calendar.is_workday(day) else brute_add(day, -1)
    assert workdays.workdays_between(anchor, result) == -n + (0 if anchor == day else 1)


# --- deadlines -----------------------------------------------------------------------------


def test_deadline_is_end_of_nth_workday_in_shanghai():
    received = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SH)
    due = workdays.deadline_at(received, 5)
    assert due == dt.datetime(2026, 2, 27, 23, 59, 59, tzinfo=SH)
    assert due.utcoffset() == dt.timedelta(hours=8)


def test_deadline_uses_the_shanghai_date_of_a_utc_time():
    # 17:30 UTC on Thursday 12 Feb is already 01:30 on Friday 13 Feb in Shanghai.
    received = dt.datetime(2026, 2, 12, 17, 30, tzinfo=dt.UTC)
    with timezone.override("UTC"):  # whatever zone a request activated
        info = workdays.deadline_info(received, 5)
    assert info.due_date == D(2026, 2, 27)
    assert info.due_at == dt.datetime(2026, 2, 27, 23, 59, 59, tzinfo=SH)
    # Half an hour earlier it is still Thursday in Shanghai: one working day earlier.
    earlier = workdays.deadline_info(dt.datetime(2026, 2, 12, 15, 30, tzinfo=dt.UTC), 5)
    assert earlier.due_date == D(2026, 2, 26)


# --- provisional years and recomputation -------------------------------------------------

# A year the table lacks (the first after the package's last), with test data built around
# its first Friday on or after 5 February: Sat F+1 is 调休 (on), Mon F+3 – Fri F+7 are off.
Y = missing_year()
F = weekday_on_or_after(D(Y, 2, 5), 4)
HOLIDAYS_Y = {D(Y, 1, 1): "元旦", **{F + dt.timedelta(days=k): "春节" for k in range(3, 8)}}
WORKDAYS_Y = {F + dt.timedelta(days=1): "春节", F + dt.timedelta(days=15): "春节"}


def test_missing_year_is_provisional_until_entered_then_recomputed(
    django_capture_on_commit_callbacks,
):
    assert Y not in workdays.known_years()
    received = dt.datetime(Y, F.month, F.day, 9, 0, tzinfo=SH)  # a Friday
    before = workdays.deadline_info(received, 5)
    assert before.provisional
    assert before.due_date == F + dt.timedelta(days=7)  # weekends only: next Friday

    # A stored open deadline and a receiver that recomputes it, as an app would do.
    stored = {"case-1": {"received_at": received, "n": 5, "deadline": before}}
    calls = []

    def recompute(sender, years, **kwargs):
        calls.append(set(years))
        for case in stored.values():
            if case["deadline"].provisional and case["deadline"].due_date.year in years:
                case["deadline"] = workdays.deadline_info(case["received_at"], case["n"])

    workdays.calendar_changed.connect(recompute)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            calendar_year_enter(year=Y, holidays=HOLIDAYS_Y, workdays=WORKDAYS_Y, actor=None)
            assert calls == []  # nothing is announced before commit
    finally:
        workdays.calendar_changed.disconnect(recompute)

    assert calls == [{Y}]  # exactly once, however many rows were written
    after = stored["case-1"]["deadline"]
    assert not after.provisional
    # Sat F+1 is on, F+3..F+7 off: Sat F+1, Mon F+10, Tue F+11, Wed F+12, Thu F+13.
    due = F + dt.timedelta(days=13)
    assert after.due_date == due
    assert after.due_at == dt.datetime(due.year, due.month, due.day, 23, 59, 59, tzinfo=SH)
    assert Y in workdays.known_years()


def test_a_deadline_spanning_into_a_missing_year_is_provisional():
    last_known = workdays.add_workdays(D(Y, 1, 1), -1)  # the last working day of Y-1
    info = workdays.add_workdays_info(last_known, 1)
    assert info.provisional
    first = D(Y, 1, 1)  # Y counts weekends only: its first weekday
    assert info.date == (first if first.weekday() < 5 else weekday_on_or_after(first, 0))
    assert not workdays.add_workdays_info(D(Y - 1, 12, 1), 5).provisional


def test_calendar_year_enter_rejects_bad_input():
    from govhall.core.errors import InvalidInput

    monday = weekday_on_or_after(D(Y, 2, 1), 0)
    saturday = weekday_on_or_after(D(Y, 2, 1), 5)
    with pytest.raises(InvalidInput) as exc:
        calendar_year_enter(year=Y, holidays={D(Y + 1, 1, 1): "x"}, workdays={}, actor=None)
    assert exc.value.errors[0]["field"] == "holidays"
    with pytest.raises(InvalidInput) as exc:
        calendar_year_enter(year=Y, holidays={}, workdays={monday: "x"}, actor=None)
    assert exc.value.errors[0]["field"] == "workdays"  # a Monday is no 调休 day
    with pytest.raises(InvalidInput):
        both = {saturday: "x"}
        calendar_year_enter(year=Y, holidays=both, workdays=both, actor=None)
    assert not CalendarYear.objects.filter(year=Y).exists()


def test_editing_a_calendar_day_rebuilds_the_index(django_capture_on_commit_callbacks):
    day = D(2026, 3, 2)  # an ordinary Monday
    assert workdays.is_workday(day)
    calls = []

    def listener(sender, years, **kwargs):
        calls.append(set(years))

    workdays.calendar_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            row = CalendarDay.objects.create(
                date=day, year_id=2026, kind=CalendarDay.HOLIDAY, name="临时休息"
            )
        assert not workdays.is_workday(day)
        version = workdays._calendar_version()
        with django_capture_on_commit_callbacks(execute=True):
            row.kind = CalendarDay.WORKDAY
            row.save()
        # Same count and ids: the year's updated_at moves, so other processes notice too.
        assert workdays._calendar_version() != version
        assert workdays.is_workday(day)
        with django_capture_on_commit_callbacks(execute=True):
            row.delete()
        assert workdays.is_workday(day)
    finally:
        workdays.calendar_changed.disconnect(listener)
    assert calls == [{2026}, {2026}, {2026}]


def test_other_processes_pick_up_changes_after_the_recheck_interval(monkeypatch):
    # Simulate another process: its cached index is not invalidated by our signals.
    assert workdays.is_workday(D(2026, 3, 3))
    stale = workdays._current()
    CalendarDay.objects.bulk_create(  # no signals, like a write by another process
        [CalendarDay(date=D(2026, 3, 3), year_id=2026, kind=CalendarDay.HOLIDAY)]
    )
    assert workdays._current() is stale  # within the recheck interval: cached
    monkeypatch.setattr(workdays, "_checked_at", 0.0)
    assert workdays._current() is not stale
    assert not workdays.is_workday(D(2026, 3, 3))


# --- warnings to admins --------------------------------------------------------------------


def test_missing_and_overdue_years():
    assert workdays.missing_years_ahead(D(Y - 1, 11, 26)) == [Y]
    assert workdays.overdue_missing_years(D(Y - 1, 11, 26)) == []  # not yet published
    assert workdays.overdue_missing_years(D(Y - 1, 12, 1)) == [Y]
    assert workdays.overdue_missing_years(D(Y, 3, 1)) == [Y]  # Y+1 not due yet
    assert workdays.missing_years_ahead(D(Y, 3, 1)) == [Y, Y + 1]
    assert workdays.missing_years_ahead(D(Y - 2, 6, 1)) == []


def test_system_check_warns_when_next_year_is_missing():
    with time_machine.travel(dt.datetime(Y - 1, 11, 26, 10, tzinfo=SH), tick=False):
        messages = calendar_years_entered(databases=["default"])
        assert len(messages) == 1
        assert isinstance(messages[0], CheckWarning)
        assert messages[0].id == "govhall.W001"
        assert f"工作日历缺少 {Y} 年" in messages[0].msg
        assert calendar_years_entered(databases=None) == []  # plain `check`: no DB
        calendar_year_enter(year=Y, holidays=HOLIDAYS_Y, workdays={}, actor=None)
        assert calendar_years_entered(databases=["default"]) == []


def test_admin_index_shows_the_missing_year_banner(client, admin_user):
    with time_machine.travel(dt.datetime(Y - 1, 11, 26, 10, tzinfo=SH), tick=False):
        admin_client = client
        admin_client.force_login(admin_user)  # a session of that day
        page = admin_client.get("/admin/")
        assert page.status_code == 200
        text = page.content.decode()
        assert f"工作日历缺少 {Y} 年" in text
        assert site.index_template == "admin/core/index.html"
        calendar_year_enter(year=Y, holidays=HOLIDAYS_Y, workdays={}, actor=None)
        assert "工作日历缺少" not in admin_client.get("/admin/").content.decode()
