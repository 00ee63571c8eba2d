"""Extended service hours (6.7.4) in the queue: the kiosk issues in an extended session, the
board and the kiosk show today's sessions, and the 空窗 rule counts a session as opening
time for the windows it opens and not for others — on a plain Saturday, on a 调休
Saturday (a working day: regular hours) and on a Saturday inside a public holiday."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.org import selectors_hours as hours
from govhall.org.models import ExtendedService
from govhall.queueing import services
from govhall.queueing.frontdesk import next_opening
from govhall.queueing.jobs import detect_idle_windows, period_start
from govhall.queueing.models import IdleIncident, Ticket
from govhall.queueing.tests.conftest import at

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2026, 3, 7)  # a plain weekend day
ADJUSTED_SATURDAY = dt.date(2026, 2, 14)  # 调休: a working day before the Spring Festival
HOLIDAY_SATURDAY = dt.date(2026, 2, 21)  # inside the Spring Festival holiday
FRIDAY = dt.date(2026, 2, 13)


@pytest.fixture
def sessions(q):
    lunch = ExtendedService.objects.create(
        center=q.center,
        kind="lunch",
        days="workdays",
        start=dt.time(12, 0),
        end=dt.time(13, 30),
    )
    lunch.windows.add(q.w1)
    weekend = ExtendedService.objects.create(
        center=q.center,
        kind="weekend",
        days="rest_days",
        weekdays="6",
        start=dt.time(9, 0),
        end=dt.time(12, 0),
        note="办理社保、不动产查询",
    )
    weekend.windows.add(q.w1)
    return lunch, weekend


def travel(moment):
    return time_machine.travel(moment, tick=False)


def test_which_days_a_session_runs(q, sessions):
    lunch, weekend = sessions
    assert [s.service for s in hours.extended_hours_for(q.center, FRIDAY)] == [lunch]
    assert [s.service for s in hours.extended_hours_for(q.center, SATURDAY)] == [weekend]
    # A 调休 Saturday is a working day: lunch session, no weekend session.
    assert [s.service for s in hours.extended_hours_for(q.center, ADJUSTED_SATURDAY)] == [lunch]
    # A Saturday inside the holiday: nothing.
    assert hours.extended_hours_for(q.center, HOLIDAY_SATURDAY) == []
    assert hours.extended_hours_for(q.center, dt.date(2026, 3, 8)) == []  # Sunday not chosen


def test_open_for_covered_windows_only(q, sessions):
    lunch_moment = at(12, 30, day=FRIDAY)
    assert hours.is_open_at(q.center, lunch_moment, q.w1)
    assert not hours.is_open_at(q.center, lunch_moment, q.w2)
    assert hours.is_open_at(q.center, lunch_moment)  # some window is open
    assert period_start(q.center, lunch_moment, q.w1) == at(12, 0, day=FRIDAY)
    assert period_start(q.center, lunch_moment, q.w2) is None
    saturday = at(10, 0, day=SATURDAY)
    assert period_start(q.center, saturday, q.w1) == at(9, 0, day=SATURDAY)
    assert period_start(q.center, saturday, q.w2) is None
    # 调休 Saturday: regular hours for every window.
    assert period_start(q.center, at(10, 0, day=ADJUSTED_SATURDAY), q.w2) == at(
        9, 0, day=ADJUSTED_SATURDAY
    )
    assert not hours.is_open_at(q.center, at(10, 0, day=HOLIDAY_SATURDAY))


def test_idle_rule_counts_the_weekend_session_for_its_window_only(q, sessions):
    with travel(at(9, 0, day=SATURDAY)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.window_open(window=q.w2, actor=q.clerk2)
        services.ticket_issue(center=q.center, category=q.cats["A"])  # both windows serve A
    with travel(at(9, 11, day=SATURDAY)):
        assert detect_idle_windows(timezone.now()) == 1
    incident = IdleIncident.objects.get()
    assert incident.window == q.w1 and incident.started_at == at(9, 0, day=SATURDAY)


def test_idle_rule_on_a_holiday_saturday_raises_nothing(q, sessions):
    with travel(at(9, 0, day=HOLIDAY_SATURDAY)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(10, 0, day=HOLIDAY_SATURDAY)):
        assert detect_idle_windows(timezone.now()) == 0


def test_idle_rule_lunch_session_counts_from_its_start(q, sessions):
    with travel(at(11, 0, day=FRIDAY)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.window_open(window=q.w2, actor=q.clerk2)
    with travel(at(11, 58, day=FRIDAY)):
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(12, 9, day=FRIDAY)):
        assert detect_idle_windows(timezone.now()) == 0  # 9 minutes into the session
    with travel(at(12, 10, day=FRIDAY)):
        assert detect_idle_windows(timezone.now()) == 1
    assert IdleIncident.objects.get().window == q.w1  # window 2 is closed for lunch


def test_kiosk_issues_in_a_weekend_session_and_shows_it(q, sessions, client):
    with travel(at(10, 0, day=SATURDAY)):
        html = client.get(f"/kiosk/?center={q.center.code}").content.decode()
        assert 'id="closed-notice"' not in html and 'data-category="A"' in html
        assert "今日延时服务：09:00—12:00 周末服务（1号窗口）" in html
        r = client.post("/kiosk/issue/", {"center": q.center.code, "category": "A"})
        assert r.status_code == 302 and "/kiosk/slip/" in r["Location"]
    assert Ticket.objects.count() == 1


def test_kiosk_closed_on_a_holiday_saturday_names_next_opening_and_the_schedule(
    q, sessions, client
):
    with travel(at(10, 0, day=HOLIDAY_SATURDAY)):
        html = client.get(f"/kiosk/?center={q.center.code}").content.decode()
    assert 'id="closed-notice"' in html and "2月24日（星期二）09:00开始办公" in html
    assert "工作日 12:00—13:30 午间不间断服务（1号窗口）" in html
    assert "延时服务：星期六 09:00—12:00 周末服务（1号窗口）：办理社保、不动产查询" in html


def test_next_opening_is_the_weekend_session(q, sessions):
    # Friday evening before a plain weekend: the Saturday session opens first.
    friday = dt.date(2026, 3, 6)
    assert next_opening(q.center, at(18, 0, day=friday)) == at(9, 0, day=SATURDAY)


def test_board_shows_today_sessions(q, sessions, client):
    with travel(at(8, 0, day=SATURDAY)):
        html = client.get(f"/board/{q.center.code}/").content.decode()
    assert "今日延时服务 09:00—12:00 周末服务（1号窗口）" in html
    with travel(at(8, 0, day=HOLIDAY_SATURDAY)):
        html = client.get(f"/board/{q.center.code}/").content.decode()
    assert 'id="extended-today"' not in html
