"""Issue 27 item 3: an appointment code gives queue priority only through a real check-in.

The attack on the landed code: `POST /api/v1/tickets {"appointment_code": "FAKE"}` was
issued as a priority ticket at position 1."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import services
from govhall.appointments.models import Slot, Status
from govhall.queueing.models import Ticket
from govhall.queueing.services import ticket_issue

from .conftest import at, person_id

NOW = at(2026, 3, 9, 9, 40)


def _ticket(client, center, **extra):
    body = {"center": center.code, "category": "Y", "channel": "kiosk", **extra}
    return client.post("/api/v1/tickets", body, content_type="application/json")


@pytest.mark.django_db
def test_public_ticket_with_a_made_up_appointment_code_is_refused(client, center, queue_category):
    with time_machine.travel(NOW, tick=False):
        assert _ticket(client, center).json()["position"] == 1  # someone already waiting
        response = _ticket(client, center, appointment_code="FAKE")
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["errors"] == [
        {
            "field": "appointment_code",
            "message": "预约优先须在自助机或导服台凭预约码签到取号，此处不接受预约码。",
        }
    ]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.filter(rank=0).count() == 0


@pytest.mark.django_db
def test_public_ticket_with_a_real_booking_code_is_refused_too(
    client, center, item, rule, queue_category
):
    """Knowing a real code (one's own or someone else's) does not skip the check-in."""
    day = dt.date(2026, 3, 9)
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    booking = services.appointment_book(
        center=center,
        item=item,
        slot=Slot.objects.get(rule=rule, start=at(2026, 3, 9, 10, 0)),
        name="张三",
        phone="13800000001",
        id_number=person_id(1),
        channel="phone",
        now=at(2026, 3, 6, 10),
    )
    with time_machine.travel(NOW, tick=False):
        response = _ticket(client, center, appointment_code=booking.code)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "appointment_code"
    assert Ticket.objects.count() == 0
    booking.refresh_from_db()
    assert booking.status == Status.BOOKED


@pytest.mark.django_db
def test_the_service_refuses_a_code_that_was_not_checked_in(center, queue_category):
    for channel in ("appointment", "kiosk", "api"):
        with pytest.raises(services.InvalidInput) as exc:
            ticket_issue(
                center=center,
                category=queue_category,
                appointment_code="FAKE",
                channel=channel,
                now=NOW,
            )
        assert exc.value.errors[0]["field"] == "appointment_code"
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_a_real_check_in_still_ranks_first(client, center, item, rule, queue_category):
    day = dt.date(2026, 3, 9)
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    booking = services.appointment_book(
        center=center,
        item=item,
        slot=Slot.objects.get(rule=rule, start=at(2026, 3, 9, 10, 0)),
        name="张三",
        phone="13800000001",
        id_number=person_id(1),
        channel="phone",
        now=at(2026, 3, 6, 10),
    )
    with time_machine.travel(NOW, tick=False):
        _ticket(client, center)
        done = services.appointment_check_in(center=center, code=booking.code)
    ticket = Ticket.objects.get(pk=done.ticket_id)
    assert (ticket.rank, ticket.is_appointment, ticket.appointment_code) == (0, True, booking.code)
    first = Ticket.objects.order_by("rank", "issued_at").first()
    assert first.pk == ticket.pk
