"""空窗 (5.6.3) detection with a moved clock."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.queueing import services
from govhall.queueing.jobs import JOBS, detect_idle_windows
from govhall.queueing.models import IdleIncident, QueueConfig
from govhall.queueing.tests.conftest import at

pytestmark = pytest.mark.django_db


def travel(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def test_job_registered():
    assert "queueing.detect_idle_windows" in {j.name for j in JOBS}


def test_no_activity_while_people_wait_raises_then_closes_on_activity(q):
    with travel(at(9, 0)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(9, 9)):
        assert detect_idle_windows(timezone.now()) == 0  # 9 minutes: not yet
    with travel(at(9, 10)):
        assert detect_idle_windows(timezone.now()) == 1
        assert detect_idle_windows(timezone.now()) == 0  # idempotent
    incident = IdleIncident.objects.get()
    assert incident.kind == "no_activity" and incident.ended_at is None
    assert incident.started_at == at(9, 0) and incident.people_waiting == 1
    assert incident.staff == q.clerk1
    with travel(at(9, 25)):
        services.window_call_next(window=q.w1, actor=q.clerk1)
    incident.refresh_from_db()
    assert incident.ended_at == at(9, 25)
    assert incident.duration_seconds == 25 * 60
    # A new idle spell opens a new incident; the old one is kept for appraisal.
    with travel(at(10, 0)):
        services.ticket_finish(ticket=q.w1.tickets.get(), actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(10, 11)):
        assert detect_idle_windows(timezone.now()) == 1
    assert IdleIncident.objects.count() == 2


def test_not_raised_when_nobody_waits(q):
    with travel(at(9, 0)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["C"])  # w1 does not serve C
    with travel(at(9, 30)):
        assert detect_idle_windows(timezone.now()) == 0


def test_not_raised_while_serving_someone(q):
    with travel(at(9, 0)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
        services.ticket_issue(center=q.center, category=q.cats["A"])
        t = services.window_call_next(window=q.w1, actor=q.clerk1)
        services.ticket_start(ticket=t, actor=q.clerk1)
    with travel(at(9, 40)):
        assert detect_idle_windows(timezone.now()) == 0


def test_paused_too_long(q):
    with travel(at(14, 0)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["B"])
        services.window_pause(window=q.w1, reason="如厕", actor=q.clerk1)
    with travel(at(14, 14)):
        assert detect_idle_windows(timezone.now()) == 0
    with travel(at(14, 15)):
        assert detect_idle_windows(timezone.now()) == 1
    incident = IdleIncident.objects.get()
    assert incident.kind == "paused_too_long"
    with travel(at(14, 20)):
        services.window_open(window=q.w1, actor=q.clerk1)  # resume
    incident.refresh_from_db()
    assert incident.duration_seconds == 20 * 60


def test_per_center_config(q):
    QueueConfig.objects.create(center=q.center, idle_minutes=3, pause_max_minutes=5)
    with travel(at(9, 0)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(9, 3)):
        assert detect_idle_windows(timezone.now()) == 1


def test_not_raised_outside_opening_hours_and_lunch_counts_from_reopening(q):
    with travel(at(11, 55)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(12, 30)):  # lunch break
        assert detect_idle_windows(timezone.now()) == 0
    with travel(at(13, 35)):  # afternoon opened 13:30; idle counts from then
        assert detect_idle_windows(timezone.now()) == 0
    with travel(at(13, 40)):
        assert detect_idle_windows(timezone.now()) == 1
    assert IdleIncident.objects.get().started_at == at(13, 30)
    with travel(at(18, 30)):
        services.window_call_next(window=q.w1, actor=q.clerk1)


def test_not_raised_on_holiday_but_raised_on_adjusted_saturday(q):
    # 16 Feb 2026 (Monday) is in the Spring Festival holiday.
    holiday = dt.date(2026, 2, 16)
    with travel(at(9, 0, holiday)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(10, 0, holiday)):
        assert detect_idle_windows(timezone.now()) == 0
    with travel(at(10, 1, holiday)):
        services.window_close(window=q.w1, actor=q.clerk1)
    # 14 Feb 2026 is a Saturday worked in lieu (调休): the rule applies.
    saturday = dt.date(2026, 2, 14)
    with travel(at(9, 0, saturday)):
        services.window_open(window=q.w1, actor=q.clerk1)
        services.ticket_issue(center=q.center, category=q.cats["A"])
    with travel(at(9, 20, saturday)):
        assert detect_idle_windows(timezone.now()) == 1
