"""Booking limits: overlapping bookings, per day and per week, the online range, staff
channels, the applicant's cancellation and the no-show block."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import selectors, services
from govhall.appointments.models import Appointment

from .conftest import at, book_person, cancel_code, person_id
from .test_booking import NOW, book, first_slot


@pytest.mark.django_db
def test_one_person_cannot_hold_overlapping_bookings(center, department, item, rule):
    from govhall.appointments.models import BookingRule

    from .conftest import make_item

    other = make_item(center, department, code="SCJG-002", name="食品经营许可")
    other_rule = BookingRule.objects.create(center=center, item=other, slot_minutes=60)
    slot = first_slot(rule)
    book_person(
        3,
        center=center,
        item=item,
        slot=slot,
        name="李四",
        channel="phone",
        now=NOW,
    )
    overlapping = first_slot(other_rule)
    with pytest.raises(services.Conflict) as exc:
        book_person(
            3,
            center=center,
            item=other,
            slot=overlapping,
            name="李四",
            channel="phone",
            now=NOW,
        )
    assert exc.value.code == "overlapping_booking"
    overlapping.refresh_from_db()
    assert overlapping.booked == 0


@pytest.mark.django_db
def test_limit_per_id_number_per_day(center, item, rule):
    rule.max_per_day = 1
    rule.save()
    book_person(
        4,
        center=center,
        item=item,
        slot=first_slot(rule),
        name="王五",
        channel="phone",
        now=NOW,
    )
    with pytest.raises(services.Conflict) as exc:
        book_person(
            4,
            center=center,
            item=item,
            slot=first_slot(rule, hour=14),
            name="王五",
            channel="phone",
            now=NOW,
        )
    assert exc.value.code == "booking_limit_day"
    assert "每天最多预约 1 次" in exc.value.message


@pytest.mark.django_db
def test_limit_per_id_number_per_week(center, item, rule):
    rule.max_per_week = 2
    rule.save()
    for day in (9, 10):
        book_person(
            4,
            center=center,
            item=item,
            slot=first_slot(rule, day=dt.date(2026, 3, day)),
            name="王五",
            channel="phone",
            now=NOW,
        )
    with pytest.raises(services.Conflict) as exc:
        book_person(
            4,
            center=center,
            item=item,
            slot=first_slot(rule, day=dt.date(2026, 3, 11)),
            name="王五",
            channel="phone",
            now=NOW,
        )
    assert exc.value.code == "booking_limit_week"
    # Next week is fine again.
    book_person(
        4,
        center=center,
        item=item,
        slot=first_slot(rule, day=dt.date(2026, 3, 16)),
        name="王五",
        channel="phone",
        now=NOW,
    )


@pytest.mark.django_db
def test_online_booking_starts_next_working_day(center, item, rule):
    today_slot = first_slot(rule, day=dt.date(2026, 3, 5), hour=15)
    with pytest.raises(services.InvalidInput) as exc:
        book_person(
            5,
            center=center,
            item=item,
            slot=today_slot,
            name="赵六",
            channel="online",
            verification=None,
            now=NOW,
        )
    assert exc.value.errors[0]["field"] in {"slot_id", "verification_code"}
    # Staff may still book the rest of today for a caller.
    done = services.appointment_book(
        center=center,
        item=item,
        slot=today_slot,
        name="赵六",
        phone="",
        id_number=person_id(5),
        channel="onsite",
        now=NOW,
    )
    assert done.channel == "onsite" and done.phone == ""


@pytest.mark.django_db
def test_staff_channels_need_staff_auth(client, center, item, rule, consultant):
    with time_machine.travel(NOW, tick=False):
        slot = first_slot(rule)
        body = {
            "center": center.code,
            "item_code": item.code,
            "slot_id": slot.pk,
            "name": "钱七",
            "phone": "0451-87654321",
            "id_number": person_id(7),
            "channel": "phone",
        }
        anonymous = client.post("/api/v1/appointments", body, content_type="application/json")
        assert anonymous.status_code == 403
        client.force_login(consultant)
        response = client.post("/api/v1/appointments", body, content_type="application/json")
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get(code=response.json()["code"])
    assert appointment.created_by == consultant and appointment.phone == "0451-87654321"


@pytest.mark.django_db
def test_applicant_cancels_with_code_and_an_sms_code(client, center, item, rule, outbox):
    with time_machine.travel(NOW, tick=False) as traveller:
        slot = first_slot(rule)
        code = book(client, center, item, slot).json()["code"]
        traveller.shift(dt.timedelta(seconds=61))
        sent = client.post(f"/api/v1/appointments/{code}/cancel-code")
        assert sent.status_code == 200, sent.content
        assert sent.json() == {
            "detail": "验证码已发送至预约手机号，请查收短信。",
            "phone": "尾号0001",
            "expires_in_minutes": 10,
        }
        [sms] = outbox("verification_code")[-1:]
        assert sms.to == "13800000001"
        url = f"/api/v1/appointments/{code}/cancel"
        ok = client.post(
            url, {"verification_code": sms.params["code"]}, content_type="application/json"
        )
        assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
        missing = client.post(
            "/api/v1/appointments/ZZZZZZZZ/cancel",
            {"verification_code": "123456"},
            content_type="application/json",
        )
        assert missing.status_code == 404
    slot.refresh_from_db()
    assert slot.booked == 0
    assert outbox("appointment_cancelled")[0].params["code"] == code


@pytest.mark.django_db
def test_cancel_cut_off(center, item, rule):
    slot = first_slot(rule)
    appointment = book_person(
        8,
        center=center,
        item=item,
        slot=slot,
        name="孙八",
        channel="phone",
        now=NOW,
    )
    in_time = cancel_code(appointment, at(2026, 3, 9, 7, 55))  # valid until 08:05
    with pytest.raises(services.DomainError) as exc:
        services.appointment_cancel(
            appointment=appointment,
            verification_code=cancel_code(appointment, at(2026, 3, 9, 8, 0)),
            now=at(2026, 3, 9, 8, 1),
        )
    assert exc.value.code == "cancel_cutoff"
    services.appointment_cancel(
        appointment=appointment, verification_code=in_time, now=at(2026, 3, 9, 7, 59)
    )
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


@pytest.mark.django_db
def test_two_no_shows_block_online_booking_for_90_days(client, center, item, rule, consultant):
    """2 no-shows within 30 days → online blocked for 90 days; staff may still book."""
    for day in (dt.date(2026, 3, 9), dt.date(2026, 3, 16)):
        book_person(
            10,
            center=center,
            item=item,
            slot=first_slot(rule, day=day),
            name="周九",
            channel="phone",
            now=NOW,
        )
    from govhall.appointments.jobs import no_shows_mark

    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        assert no_shows_mark(at(2026, 3, 17, 10)) == 2
        slot = first_slot(rule, day=dt.date(2026, 3, 20))
        blocked = book(client, center, item, slot, n=10, phone="13800000010")
    assert blocked.status_code == 403
    problem = blocked.json()
    assert problem["code"] == "booking_blocked"
    assert "2026年06月14日" in problem["detail"]  # 16 March + 90 days
    assert "30天内有2次预约未到场" in problem["detail"]
    block = selectors.booking_block(
        id_number=person_id(10), phone="13800000010", now=at(2026, 6, 13, 10)
    )
    assert block is not None
    assert (
        selectors.booking_block(
            id_number=person_id(10), phone="13800000010", now=at(2026, 6, 14, 10)
        )
        is None
    )
    # Staff booking by phone is still possible, with a visible warning.
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        done = book_person(
            10,
            center=center,
            item=item,
            slot=slot,
            name="周九",
            channel="phone",
            actor=consultant,
        )
    assert "网上预约暂停至2026年06月14日" in done.block_warning


@pytest.mark.django_db
def test_no_shows_further_apart_than_30_days_do_not_block(center, item, rule):
    for day, booked_at in ((dt.date(2026, 3, 9), NOW), (dt.date(2026, 4, 13), at(2026, 4, 8, 10))):
        appointment = book_person(
            11,
            center=center,
            item=item,
            slot=first_slot(rule, day=day),
            name="吴十",
            channel="phone",
            now=booked_at,
        )
        assert services.appointment_mark_no_show(appointment=appointment, now=at(2026, 4, 14, 10))
    assert (
        selectors.booking_block(
            id_number=person_id(11), phone="13800000011", now=at(2026, 4, 14, 11)
        )
        is None
    )
