"""No-shows, check-in window, reminders and center-side changes, with a moved clock."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import jobs, services
from govhall.appointments.models import Appointment, Slot, Status
from govhall.core.models import AuditEntry

from .conftest import at, cancel_code, person_id


def slot_at(rule, when):
    day = when.date()
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    return Slot.objects.get(rule=rule, start=when)


def booking(center, item, rule, when, n=1, phone="13800000001", now=None, channel="phone"):
    return services.appointment_book(
        center=center,
        item=item,
        slot=slot_at(rule, when),
        name="张三",
        phone=phone,
        id_number=person_id(n),
        channel=channel,
        now=now or when - dt.timedelta(days=3),
    )


# --- no-shows ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_show_after_slot_end_plus_grace_and_idempotent(center, item, rule):
    rule.checkin_grace_minutes = 15
    rule.save()
    a = booking(center, item, rule, at(2026, 3, 9, 9, 0))  # slot 09:00-09:30, grace 15 min
    with time_machine.travel(at(2026, 3, 9, 9, 45), tick=False):
        assert jobs.no_shows_mark(dt.datetime.now(tz=at(2026, 1, 1).tzinfo)) == 0
    a.refresh_from_db()
    assert a.status == Status.BOOKED
    with time_machine.travel(at(2026, 3, 9, 9, 46), tick=False):
        from django.utils import timezone

        assert jobs.no_shows_mark(timezone.now()) == 1
        assert jobs.no_shows_mark(timezone.now()) == 0  # idempotent
    a.refresh_from_db()
    assert a.status == Status.NO_SHOW
    assert a.events.filter(action="no_show").count() == 1
    assert AuditEntry.objects.filter(action="govhall.appointments.appointment.no_show").count() == 1


@pytest.mark.django_db
def test_no_show_cannot_check_in(center, item, rule):
    a = booking(center, item, rule, at(2026, 3, 9, 9, 0))
    with (
        time_machine.travel(at(2026, 3, 9, 10, 0), tick=False),
        pytest.raises(services.InvalidTransition) as exc,
    ):
        services.appointment_check_in(center=center, code=a.code)
    assert exc.value.code == "no_show"
    assert "视为主动放弃" in exc.value.message


# --- check-in window -----------------------------------------------------------------------


@pytest.mark.django_db
def test_check_in_too_early_says_from_when(center, item, rule):
    a = booking(center, item, rule, at(2026, 3, 9, 10, 0))
    with (
        time_machine.travel(at(2026, 3, 9, 9, 29), tick=False),
        pytest.raises(services.DomainError) as exc,
    ):
        services.appointment_check_in(center=center, code=a.code)
    assert exc.value.code == "checkin_too_early"
    assert "09:30" in exc.value.message
    with (
        time_machine.travel(at(2026, 3, 6, 15, 0), tick=False),
        pytest.raises(services.DomainError) as exc,
    ):
        services.appointment_check_in(center=center, code=a.code)
    assert "03月09日" in exc.value.message


@pytest.mark.django_db
def test_check_in_unknown_code_names_the_field(center, item, rule):
    with pytest.raises(services.InvalidInput) as exc:
        services.appointment_check_in(center=center, code="ZZZZZZZZ", now=at(2026, 3, 9, 10))
    assert exc.value.errors[0]["field"] == "code"


@pytest.mark.django_db
def test_check_in_inside_window_issues_priority_ticket(center, item, rule, queue_category):
    a = booking(center, item, rule, at(2026, 3, 9, 10, 0))
    with time_machine.travel(at(2026, 3, 9, 9, 30), tick=False):
        done = services.appointment_check_in(center=center, code=a.code.lower())
    assert done.status == Status.CHECKED_IN
    assert done.ticket_number and done.ticket_id
    with (
        time_machine.travel(at(2026, 3, 9, 9, 31), tick=False),
        pytest.raises(services.InvalidTransition),
    ):
        services.appointment_check_in(center=center, code=a.code)


@pytest.mark.django_db
def test_check_in_by_id_number_and_via_api(client, center, item, rule, consultant, queue_category):
    a = booking(center, item, rule, at(2026, 3, 9, 10, 0), n=5)
    b = booking(center, item, rule, at(2026, 3, 9, 14, 0), n=6, phone="13800000006")
    with time_machine.travel(at(2026, 3, 9, 10, 15), tick=False):
        done = services.appointment_check_in(center=center, id_number=person_id(5))
        assert done.pk == a.pk and done.status == Status.CHECKED_IN
    with time_machine.travel(at(2026, 3, 9, 13, 40), tick=False):
        client.force_login(consultant)
        response = client.post(f"/api/v1/appointments/{b.code}/check-in")
    assert response.status_code == 200, response.content
    assert response.json()["ticket"]["number"]


@pytest.mark.django_db
def test_check_in_api_needs_auth(client, center, item, rule):
    a = booking(center, item, rule, at(2026, 3, 9, 10, 0))
    response = client.post(f"/api/v1/appointments/{a.code}/check-in")
    assert response.status_code == 401


# --- reminders -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminder_the_working_day_before_through_the_outbox(center, item, rule, outbox):
    """Slot on Tue 24 Feb 2026 (after the Spring Festival): the working day before is the
    adjusted Saturday 14 Feb, not Mon 23 Feb (holiday)."""
    a = booking(center, item, rule, at(2026, 2, 24, 9, 0), now=at(2026, 2, 12, 10))
    assert a.reminder_due_at == at(2026, 2, 14, 9, 0)
    with time_machine.travel(at(2026, 2, 14, 8, 59), tick=False):
        assert jobs.reminders_queue(at(2026, 2, 14, 8, 59)) == 0
    with time_machine.travel(at(2026, 2, 14, 9, 0), tick=False):
        assert jobs.reminders_queue(at(2026, 2, 14, 9, 0)) == 1
        assert jobs.reminders_queue(at(2026, 2, 14, 9, 5)) == 0  # claimed once only
    [sms] = outbox("appointment_reminder")
    assert sms.to == "13800000001"
    assert sms.params == {
        "name": "张三",
        "item": item.name,
        "date": "2026年02月24日",
        "time": "09:00-09:30",
        "place": a.place(),
        "code": a.code,
    }
    a.refresh_from_db()
    assert a.reminder_sent_at == at(2026, 2, 14, 9, 0)


@pytest.mark.django_db
def test_reminders_not_queued_in_quiet_hours(center, item, rule, outbox):
    rule.reminder_time = dt.time(21, 30)
    rule.save()
    booking(center, item, rule, at(2026, 3, 10, 14, 0), now=at(2026, 3, 5, 10))
    for moment in (at(2026, 3, 9, 21, 30), at(2026, 3, 9, 23, 59), at(2026, 3, 10, 7, 59)):
        with time_machine.travel(moment, tick=False):
            assert jobs.reminders_queue(moment) == 0
    assert outbox("appointment_reminder") == []
    with time_machine.travel(at(2026, 3, 10, 8, 0), tick=False):
        assert jobs.reminders_queue(at(2026, 3, 10, 8, 0)) == 1
    assert len(outbox("appointment_reminder")) == 1


@pytest.mark.django_db
def test_morning_reminder_optional_per_rule(center, item, rule, outbox):
    rule.morning_reminder = True
    rule.save()
    a = booking(center, item, rule, at(2026, 3, 10, 14, 0), now=at(2026, 3, 5, 10))
    assert a.morning_reminder_due_at == at(2026, 3, 10, 8, 0)
    jobs.reminders_queue(at(2026, 3, 9, 9, 0))
    jobs.reminders_queue(at(2026, 3, 10, 8, 0))
    jobs.reminders_queue(at(2026, 3, 10, 8, 5))
    assert len(outbox("appointment_reminder")) == 2


@pytest.mark.django_db
def test_booking_without_mobile_still_gets_a_reminder_task(center, item, rule, outbox):
    """A landline (or no number) goes to notification_send too; the notifications app turns
    it into a phone-call task."""
    booking(
        center, item, rule, at(2026, 3, 10, 9, 0), phone="0451-87654321", now=at(2026, 3, 5, 10)
    )
    jobs.reminders_queue(at(2026, 3, 9, 9, 0))
    [task] = outbox("appointment_reminder")
    assert task.to == "0451-87654321"


@pytest.mark.django_db
def test_no_reminder_for_cancelled_or_late_bookings(center, item, rule, outbox):
    a = booking(center, item, rule, at(2026, 3, 10, 9, 0), now=at(2026, 3, 5, 10))
    services.appointment_cancel(
        appointment=a,
        verification_code=cancel_code(a, at(2026, 3, 6, 10)),
        now=at(2026, 3, 6, 10),
    )
    # Booked after the reminder time: the confirmation is enough.
    late = booking(center, item, rule, at(2026, 3, 10, 10, 0), n=2, now=at(2026, 3, 9, 15))
    assert late.reminder_due_at is None
    assert jobs.reminders_queue(at(2026, 3, 9, 16, 0)) == 0
    assert outbox("appointment_reminder") == []


# --- center-side changes (6.3.3) -----------------------------------------------------------


@pytest.mark.django_db
def test_center_reschedule_sends_reason_and_new_slot(center, item, rule, consultant, outbox):
    a = booking(center, item, rule, at(2026, 3, 10, 9, 0), now=at(2026, 3, 5, 10))
    new_slot = slot_at(rule, at(2026, 3, 11, 14, 0))
    new = services.appointment_reschedule(
        appointment=a,
        reason="窗口设备故障",
        new_slot=new_slot,
        actor=consultant,
        now=at(2026, 3, 9, 16, 0),
    )
    a.refresh_from_db()
    assert a.status == Status.RESCHEDULED and a.status_reason == "窗口设备故障"
    assert new.status == Status.BOOKED and new.rescheduled_from == a and new.code != a.code
    assert new.slot == new_slot and new.id_number == a.id_number
    [sms] = outbox("appointment_rescheduled")
    assert sms.to == "13800000001"
    assert sms.params == {
        "name": "张三",
        "item": item.name,
        "reason": "窗口设备故障",
        "new_date": "2026年03月11日",
        "new_time": "14:00-14:30",
        "code": new.code,
    }
    assert Slot.objects.get(pk=a.slot_id).booked == 0
    assert Slot.objects.get(pk=new_slot.pk).booked == 1
    assert new.reminder_due_at == at(2026, 3, 10, 9, 0)
    entry = AuditEntry.objects.get(action="govhall.appointments.appointment.rescheduled")
    assert entry.actor == consultant and entry.data["reason"] == "窗口设备故障"
    # The old code now tells the person where the booking went.
    with pytest.raises(services.InvalidTransition) as exc:
        services.appointment_check_in(center=center, code=a.code, now=at(2026, 3, 10, 9, 0))
    assert new.code in exc.value.message


@pytest.mark.django_db
def test_reschedule_api_requires_reason_and_staff(client, center, item, rule, consultant, outbox):
    a = booking(center, item, rule, at(2026, 3, 10, 9, 0), now=at(2026, 3, 5, 10))
    url = f"/api/v1/appointments/{a.code}/reschedule"
    new_slot = slot_at(rule, at(2026, 3, 11, 9, 0))
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 401
    client.force_login(consultant)
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        empty = client.post(
            url, {"reason": " ", "slot_id": new_slot.pk}, content_type="application/json"
        )
        assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
        missing = client.post(url, {"slot_id": new_slot.pk}, content_type="application/json")
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
        moved = client.post(
            url, {"reason": "系统停机维护", "slot_id": new_slot.pk}, content_type="application/json"
        )
    assert moved.status_code == 200, moved.content
    assert moved.json()["rescheduled_from"] == a.code
    assert outbox("appointment_rescheduled")[0].params["reason"] == "系统停机维护"


@pytest.mark.django_db
def test_center_cancel_without_new_slot_sends_reason(
    client, center, item, rule, consultant, outbox
):
    a = booking(center, item, rule, at(2026, 3, 10, 9, 0), now=at(2026, 3, 5, 10))
    client.force_login(consultant)
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        response = client.post(
            f"/api/v1/appointments/{a.code}/reschedule",
            {"reason": "窗口临时关闭"},
            content_type="application/json",
        )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    [sms] = outbox("appointment_cancelled")
    assert sms.params == {
        "name": "张三",
        "item": item.name,
        "reason": "窗口临时关闭",
        "code": a.code,
    }
    assert Slot.objects.get(pk=a.slot_id).booked == 0


@pytest.mark.django_db
def test_staff_of_another_center_cannot_reschedule(client, center, item, rule):
    from govhall.org.testing import make_center, make_user

    other = make_center("HL-T99", "别的中心")
    stranger = make_user("stranger", ("consultant", other))
    a = booking(center, item, rule, at(2026, 3, 10, 9, 0), now=at(2026, 3, 5, 10))
    client.force_login(stranger)
    response = client.post(
        f"/api/v1/appointments/{a.code}/reschedule",
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Appointment.objects.get(pk=a.pk).status == Status.BOOKED


@pytest.mark.django_db
def test_transition_table_refuses_second_change(center, item, rule, consultant):
    a = booking(center, item, rule, at(2026, 3, 10, 9, 0), now=at(2026, 3, 5, 10))
    services.appointment_cancel_by_center(
        appointment=a, reason="停电", actor=consultant, now=at(2026, 3, 6, 10)
    )
    with pytest.raises(services.InvalidTransition):
        services.appointment_reschedule(
            appointment=a,
            reason="再改",
            actor=consultant,
            new_slot=slot_at(rule, at(2026, 3, 11, 9, 0)),
            now=at(2026, 3, 6, 11),
        )
    assert Appointment.TRANSITIONS[Status.CANCELLED] == set()


@pytest.mark.django_db
@pytest.mark.django_db
def test_check_in_issues_the_queue_ticket_and_keeps_its_number_and_link(
    center, item, rule, queue_category
):
    from govhall.queueing.api import status_url
    from govhall.queueing.models import Ticket

    a = booking(center, item, rule, at(2026, 3, 9, 10, 0))
    done = services.appointment_check_in(center=center, code=a.code, now=at(2026, 3, 9, 9, 45))
    ticket = Ticket.objects.get()
    assert (ticket.appointment_code, ticket.channel, ticket.category_id) == (
        a.code,
        "appointment",
        queue_category.pk,
    )
    assert (ticket.is_appointment, ticket.rank, ticket.phone) == (True, 0, "13800000001")
    assert ticket.issued_at == at(2026, 3, 9, 9, 45)
    assert (done.status, done.ticket_id, done.ticket_number, done.ticket_url) == (
        Status.CHECKED_IN,
        str(ticket.pk),
        "Y001",
        status_url(ticket),
    )
    assert done.checked_in_at == at(2026, 3, 9, 9, 45)
    assert AuditEntry.objects.filter(action="govhall.appointments.appointment.checked_in").exists()


@pytest.mark.django_db
def test_check_in_passes_only_mobile_numbers_to_the_queue(center, item, rule, queue_category):
    from govhall.queueing.models import Ticket

    a = booking(center, item, rule, at(2026, 3, 9, 10, 0), phone="0451-87654321")
    done = services.appointment_check_in(center=center, code=a.code, now=at(2026, 3, 9, 9, 50))
    ticket = Ticket.objects.get()
    assert ticket.phone == ""
    assert done.ticket_number == ticket.number == "Y001"


def test_jobs_are_registered_for_the_worker():
    from govhall.core.jobs import discover_jobs

    names = {job.name for job in discover_jobs()}
    assert {"appointments.reminders", "appointments.no_shows"} <= names
