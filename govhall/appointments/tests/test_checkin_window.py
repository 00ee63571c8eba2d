"""6.3.5: check-in stays open until the slot ends (plus the rule's grace), and a booking
becomes a no-show only after that — with the clock moved, on an ordinary day, on a 调休
Saturday and across a holiday."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import jobs, services
from govhall.appointments.models import Slot, Status

from .conftest import at, person_id


def _book(center, item, rule, when, n=1):
    day = when.date()
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    return services.appointment_book(
        center=center,
        item=item,
        slot=Slot.objects.get(rule=rule, start=when),
        name="张三",
        phone=f"1380000{n:04d}",
        id_number=person_id(n),
        channel="phone",
        now=when - dt.timedelta(days=1),
    )


@pytest.mark.django_db
def test_check_in_one_minute_before_the_slot_ends(center, item, rule, queue_category):
    """Landed code closed check-in 15 minutes after the start (10:15) and refused this."""
    a = _book(center, item, rule, at(2026, 3, 9, 10, 0))  # slot 10:00-10:30
    with time_machine.travel(at(2026, 3, 9, 10, 29), tick=False):
        done = services.appointment_check_in(center=center, code=a.code)
    assert done.status == Status.CHECKED_IN
    assert done.checked_in_at == at(2026, 3, 9, 10, 29)


@pytest.mark.django_db
def test_no_show_only_after_the_slot_ends(center, item, rule):
    a = _book(center, item, rule, at(2026, 3, 9, 10, 0))
    with time_machine.travel(at(2026, 3, 9, 10, 30), tick=False):
        assert jobs.no_shows_mark(at(2026, 3, 9, 10, 30)) == 0
    a.refresh_from_db()
    assert a.status == Status.BOOKED
    with time_machine.travel(at(2026, 3, 9, 10, 31), tick=False):
        with pytest.raises(services.InvalidTransition) as exc:
            services.appointment_check_in(center=center, code=a.code)
        assert exc.value.code == "no_show"
        assert exc.value.message == (
            "签到已于 10:30 截止：超过预约时段未到，视为主动放弃预约（6.3.5），"
            "请现场取号或重新预约。"
        )
        assert jobs.no_shows_mark(at(2026, 3, 9, 10, 31)) == 1
    a.refresh_from_db()
    assert a.status == Status.NO_SHOW


@pytest.mark.django_db
def test_a_center_may_allow_check_in_after_the_slot(center, item, rule, queue_category):
    rule.checkin_grace_minutes = 20
    rule.save()
    early = _book(center, item, rule, at(2026, 3, 9, 10, 0), n=1)
    late = _book(center, item, rule, at(2026, 3, 9, 10, 0), n=2)
    with time_machine.travel(at(2026, 3, 9, 10, 50), tick=False):
        assert services.appointment_check_in(center=center, code=early.code).status == (
            Status.CHECKED_IN
        )
        assert jobs.no_shows_mark(at(2026, 3, 9, 10, 50)) == 0
    with time_machine.travel(at(2026, 3, 9, 10, 51), tick=False):
        assert jobs.no_shows_mark(at(2026, 3, 9, 10, 51)) == 1
    late.refresh_from_db()
    assert late.status == Status.NO_SHOW


@pytest.mark.django_db
def test_on_a_tiaoxiu_saturday(center, item, rule, queue_category):
    """14 February 2026 is a Saturday worked for the Spring Festival (调休)."""
    a = _book(center, item, rule, at(2026, 2, 14, 15, 0), n=3)  # slot 15:00-15:30
    b = _book(center, item, rule, at(2026, 2, 14, 15, 0), n=4)
    with time_machine.travel(at(2026, 2, 14, 15, 29), tick=False):
        assert services.appointment_check_in(center=center, id_number=person_id(3)).pk == a.pk
        assert jobs.no_shows_mark(at(2026, 2, 14, 15, 29)) == 0
    with time_machine.travel(at(2026, 2, 14, 15, 31), tick=False):
        assert jobs.no_shows_mark(at(2026, 2, 14, 15, 31)) == 1
    b.refresh_from_db()
    a.refresh_from_db()
    assert (a.status, b.status) == (Status.CHECKED_IN, Status.NO_SHOW)


@pytest.mark.django_db
def test_last_slot_before_a_holiday_is_a_no_show_when_the_job_runs_on_the_holiday(
    center, item, rule
):
    """30 September 2026 is the last working day before National Day: the worker runs on
    1 October too (a holiday) and marks the booking then; nothing is marked before the end."""
    a = _book(center, item, rule, at(2026, 9, 30, 16, 30), n=5)  # slot 16:30-17:00
    with time_machine.travel(at(2026, 9, 30, 17, 0), tick=False):
        assert jobs.no_shows_mark(at(2026, 9, 30, 17, 0)) == 0
    with time_machine.travel(at(2026, 10, 1, 9, 0), tick=False):
        assert jobs.no_shows_mark(at(2026, 10, 1, 9, 0)) == 1
    a.refresh_from_db()
    assert a.status == Status.NO_SHOW
    assert a.status_changed_at == at(2026, 10, 1, 9, 0)
