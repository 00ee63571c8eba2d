"""6.3.3 closures with the clock moved: on the landed code a closure left the day's
bookings alone — the reminder “请按时到场” still went out and they became no-shows counted
against the person. Now each booked person is told the reason and offered another time
(the center reschedule path), or, with no free slot left, the booking is cancelled with
the reason; none is reminded for the closed day or counted as a no-show."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import jobs, selectors, services
from govhall.appointments.models import Appointment, CenterClosure, Slot, Status
from govhall.core.models import AuditEntry
from govhall.org.testing import make_user

from .conftest import at, person_id

NOW = at(2026, 3, 5, 10)  # Thursday; Tuesday 10 March is closed below


def _book(center, item, rule, when, n):
    day = when.date()
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    return services.appointment_book(
        center=center,
        item=item,
        slot=Slot.objects.get(rule=rule, start=when),
        name="张三丰",
        phone=f"1380000{n:04d}",
        id_number=person_id(n),
        channel="phone",
        now=NOW,
    )


@pytest.mark.django_db
def test_a_closure_moves_the_days_bookings_and_tells_the_reason(
    center, item, rule, consultant, outbox
):
    a = _book(center, item, rule, at(2026, 3, 10, 9, 0), n=1)
    b = _book(center, item, rule, at(2026, 3, 10, 14, 0), n=2)
    other_day = _book(center, item, rule, at(2026, 3, 11, 9, 0), n=3)
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        result = services.closure_enter(
            center=center,
            start_date=dt.date(2026, 3, 10),
            end_date=dt.date(2026, 3, 10),
            reason="系统升级暂停服务",
            actor=consultant,
        )
    assert result.cancelled == []
    moved = {new.rescheduled_from_id: new for new in result.rescheduled}
    assert set(moved) == {a.pk, b.pk}
    # The same time of day on the next open working day.
    assert moved[a.pk].slot_start == at(2026, 3, 11, 9, 0)
    assert moved[b.pk].slot_start == at(2026, 3, 11, 14, 0)
    for old in (a, b):
        old.refresh_from_db()
        assert old.status == Status.RESCHEDULED
        assert old.status_reason == "系统升级暂停服务"
    sms = {m.to: m.params for m in outbox("appointment_rescheduled")}
    assert set(sms) == {"13800000001", "13800000002"}
    assert sms["13800000001"]["reason"] == "系统升级暂停服务"
    assert sms["13800000001"]["new_date"] == "2026年03月11日"
    assert sms["13800000001"]["new_time"] == "09:00-09:30"
    assert sms["13800000001"]["code"] == moved[a.pk].code
    other_day.refresh_from_db()
    assert other_day.status == Status.BOOKED
    assert AuditEntry.objects.filter(action="govhall.appointments.closure.entered").count() == 1

    # The day before the closed day: no “请按时到场” for it.
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        assert jobs.reminders_queue(at(2026, 3, 9, 9, 0)) == 0
    assert outbox("appointment_reminder") == []
    # After the closed day: nobody counted as a no-show.
    with time_machine.travel(at(2026, 3, 10, 18, 0), tick=False):
        assert jobs.no_shows_mark(at(2026, 3, 10, 18, 0)) == 0
    assert not Appointment.objects.filter(status=Status.NO_SHOW).exists()
    assert selectors.booking_block(id_number=person_id(1), phone=None, now=at(2026, 3, 12)) is None
    # The new bookings are reminded of their new time.
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        assert jobs.reminders_queue(at(2026, 3, 10, 9, 0)) == 3
    reminded = sorted(m.params["time"] for m in outbox("appointment_reminder"))
    assert reminded == ["09:00-09:30", "09:00-09:30", "14:00-14:30"]


@pytest.mark.django_db
def test_no_free_slot_left_cancels_with_the_reason(center, item, rule, consultant, outbox):
    rule.days_ahead = 2  # Friday 6 March: only Monday 9 and Tuesday 10 are bookable
    rule.save()
    a = _book(center, item, rule, at(2026, 3, 9, 9, 0), n=1)
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        result = services.closure_enter(
            center=center,
            start_date=dt.date(2026, 3, 9),
            end_date=dt.date(2026, 3, 10),
            reason="停电检修",
            actor=consultant,
        )
    assert [c.pk for c in result.cancelled] == [a.pk] and result.rescheduled == []
    a.refresh_from_db()
    assert a.status == Status.CANCELLED
    [sms] = outbox("appointment_cancelled")
    assert sms.to == "13800000001"
    assert sms.params["reason"] == "停电检修（暂无可改约时段）"
    with time_machine.travel(at(2026, 3, 9, 18, 0), tick=False):
        assert jobs.no_shows_mark(at(2026, 3, 9, 18, 0)) == 0


@pytest.mark.django_db
def test_the_admin_enters_a_closure_through_the_service(client, center, item, rule, outbox):
    a = _book(center, item, rule, at(2026, 3, 10, 9, 0), n=1)
    client.force_login(make_user("root", superuser=True))
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        response = client.post(
            "/admin/appointments/centerclosure/add/",
            {
                "center": center.pk,
                "rule": "",
                "start_date": "2026-03-10",
                "end_date": "2026-03-10",
                "reason": "系统升级暂停服务",
            },
            follow=True,
        )
    assert response.status_code == 200
    assert "改约 1 个" in response.content.decode()
    closure = CenterClosure.objects.get()
    assert closure.reason == "系统升级暂停服务"
    a.refresh_from_db()
    assert a.status == Status.RESCHEDULED
    assert len(outbox("appointment_rescheduled")) == 1
    # Entered closures are not edited (the people have been told).
    with time_machine.travel(at(2026, 3, 6, 16, 5), tick=False):
        change = client.post(
            f"/admin/appointments/centerclosure/{closure.pk}/change/",
            {
                "center": center.pk,
                "start_date": "2026-03-12",
                "end_date": "2026-03-12",
                "reason": "x",
            },
        )
    assert change.status_code == 403
    closure.refresh_from_db()
    assert closure.start_date == dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_a_closure_needs_a_reason(center, consultant):
    with pytest.raises(services.InvalidInput) as exc:
        services.closure_enter(
            center=center,
            start_date=dt.date(2026, 3, 10),
            end_date=dt.date(2026, 3, 10),
            reason=" ",
            actor=consultant,
            now=NOW,
        )
    assert exc.value.errors[0]["field"] == "reason"
    assert CenterClosure.objects.count() == 0
