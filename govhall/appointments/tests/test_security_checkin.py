"""Issue 27 item 2 (check-in part). On the landed code the public page /booking/checkin/
told anyone on the internet whether an ID number had a booking today (“未找到您今天在本中心的
预约” vs “签到时间未到…”) and checked it in from anywhere. Now check-in by ID number needs a
signed-in hall device or staff session of the center."""

import datetime as dt
import re

import pytest
import time_machine

from govhall.appointments import services
from govhall.appointments.models import Slot, Status
from govhall.appointments.views import ID_CHECKIN_REFUSED
from govhall.org.testing import make_center, make_user

from .conftest import at, person_id

NOW = at(2026, 3, 9, 9, 50)


@pytest.fixture
def booking(center, item, rule):
    day = dt.date(2026, 3, 9)
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    return services.appointment_book(
        center=center,
        item=item,
        slot=Slot.objects.get(rule=rule, start=at(2026, 3, 9, 10, 0)),
        name="张三丰",
        phone="13800000001",
        id_number=person_id(1),
        channel="phone",
        now=at(2026, 3, 6, 10),
    )


def _by_id(client, center, number):
    return client.post("/booking/checkin/", {"center": center.code, "mode": "id", "value": number})


def _without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db
def test_an_internet_visitor_learns_nothing_from_an_id_number(client, center, booking):
    with time_machine.travel(NOW, tick=False):
        known = _by_id(client, center, person_id(1))
        unknown = _by_id(client, center, person_id(2))
        # Typing the number in the code box (15+ characters) is the same request.
        typed = client.post("/booking/checkin/", {"center": center.code, "value": person_id(1)})
    for response in (known, unknown, typed):
        assert response.status_code == 403
        assert ID_CHECKIN_REFUSED in response.content.decode()
    # Byte for byte the same page, but for the form's CSRF token.
    assert _without_csrf(known) == _without_csrf(unknown)
    booking.refresh_from_db()
    assert booking.status == Status.BOOKED
    page = client.get(f"/booking/checkin/?center={center.code}").content.decode()
    assert 'value="id"' not in page


@pytest.mark.django_db
def test_a_hall_device_checks_in_by_id_number(client, center, booking, queue_category):
    client.force_login(make_user("kiosk-1", ("device", center)))
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/booking/checkin/?kiosk=1&center={center.code}").content.decode()
        assert 'value="id"' in page
        response = _by_id(client, center, person_id(1))
    assert response.status_code == 200, response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Status.CHECKED_IN


@pytest.mark.django_db
def test_a_device_of_another_center_is_an_internet_visitor_here(client, center, booking):
    other = make_center("HL-T02", "另一测试中心")
    client.force_login(make_user("kiosk-2", ("device", other)))
    with time_machine.travel(NOW, tick=False):
        response = _by_id(client, center, person_id(1))
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Status.BOOKED


@pytest.mark.django_db
def test_the_booking_code_still_checks_in_on_the_public_page(
    client, center, booking, queue_category
):
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/booking/checkin/", {"center": center.code, "mode": "code", "value": booking.code}
        )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Status.CHECKED_IN
