"""Issue 27 item 2 (booking part), each attack as reproduced on the landed code, now refused:
an overlap answer named the other booking's code; a verification code survived a failed
booking and could probe ID numbers; a stranger with someone's ID number could use up their
daily limit or get them blocked with no-shows."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import jobs
from govhall.appointments.models import Appointment, BookingRule

from .conftest import at, make_item
from .test_booking import book, first_slot, request_code

NOW = at(2026, 3, 5, 10)  # Thursday
VICTIM = "13800000001"
STRANGER = "13900000009"


def _victim_booking(client, center, item, rule):
    with time_machine.travel(NOW, tick=False):
        response = book(client, center, item, first_slot(rule), n=1, phone=VICTIM)
    assert response.status_code == 201, response.content
    return response.json()["code"]


@pytest.mark.django_db
def test_an_overlap_never_names_the_other_booking(client, center, department, item, rule):
    victim_code = _victim_booking(client, center, item, rule)
    other = make_item(center, department, code="SCJG-009", name="食品经营许可")
    other_rule = BookingRule.objects.create(center=center, item=other, slot_minutes=60)
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        slot = first_slot(other_rule)
        # The person's own second booking at the same time: refused, without the code.
        response = book(client, center, other, slot, n=1, phone=VICTIM)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "overlapping_booking"
    assert body["detail"] == (
        "您在该时段已有时间重叠的预约，同一人不能同时持有时间重叠的预约。"
        "如需查看，请使用预约确认短信中的链接。"
    )
    assert victim_code not in response.content.decode()
    with time_machine.travel(NOW + dt.timedelta(minutes=4), tick=False):
        # A stranger typing the victim's ID number learns nothing about the victim's booking.
        probe = book(client, center, other, slot, n=1, phone=STRANGER)
    assert victim_code not in probe.content.decode()
    assert probe.status_code == 201


@pytest.mark.django_db
def test_a_verification_code_is_burned_by_a_failed_booking(client, center, item, rule):
    rule.capacity = 1
    rule.save()
    _victim_booking(client, center, item, rule)
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        code = request_code(client, STRANGER)
        full = book(client, center, item, first_slot(rule), n=2, phone=STRANGER, code=code)
        assert full.status_code == 409 and full.json()["code"] == "slot_full"
        again = book(
            client, center, item, first_slot(rule, hour=10), n=3, phone=STRANGER, code=code
        )
    assert again.status_code == 422, again.content
    assert again.json()["errors"] == [
        {"field": "verification_code", "message": "验证码无效或已过期，请重新获取。"}
    ]
    assert Appointment.objects.filter(phone=STRANGER).count() == 0


@pytest.mark.django_db
def test_a_stranger_cannot_use_up_someone_elses_daily_limit(client, center, item, rule):
    rule.max_per_day = 2
    rule.save()
    with time_machine.travel(NOW, tick=False) as traveller:
        for hour in (9, 10):
            response = book(client, center, item, first_slot(rule, hour=hour), n=1, phone=STRANGER)
            assert response.status_code == 201, response.content
            traveller.shift(dt.timedelta(seconds=61))
        own = book(client, center, item, first_slot(rule, hour=11), n=1, phone=VICTIM)
        assert own.status_code == 201, own.content
        # The stranger's own count is used up (the limit still holds per person).
        traveller.shift(dt.timedelta(seconds=61))
        third = book(client, center, item, first_slot(rule, hour=14), n=1, phone=STRANGER)
    assert third.status_code == 409 and third.json()["code"] == "booking_limit_day"


@pytest.mark.django_db
def test_a_strangers_no_shows_do_not_block_the_owner_of_the_id(client, center, item, rule):
    with time_machine.travel(NOW, tick=False) as traveller:
        for day in (dt.date(2026, 3, 9), dt.date(2026, 3, 10)):
            response = book(client, center, item, first_slot(rule, day=day), n=1, phone=STRANGER)
            assert response.status_code == 201, response.content
            traveller.shift(dt.timedelta(seconds=61))
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        assert jobs.no_shows_mark(at(2026, 3, 11, 10)) == 2
        slot = first_slot(rule, day=dt.date(2026, 3, 13))
        own = book(client, center, item, slot, n=1, phone=VICTIM)
        assert own.status_code == 201, own.content
        traveller_slot = first_slot(rule, day=dt.date(2026, 3, 13), hour=10)
        blocked = book(client, center, item, traveller_slot, n=1, phone=STRANGER)
    assert blocked.status_code == 403 and blocked.json()["code"] == "booking_blocked"
