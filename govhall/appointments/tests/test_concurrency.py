"""Capacity is never oversold: real threads and real transactions, on PostgreSQL and on
SQLite (WAL, IMMEDIATE transactions, a file database shared by the threads)."""

import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from govhall.appointments import services
from govhall.appointments.models import Appointment, Slot
from govhall.notifications.models import OutboxMessage

from .conftest import at, person_id

PEOPLE = 50
PLACES = 5


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookings_for_the_last_five_places(center, item, rule):
    rule.capacity = 8
    rule.save()
    now = at(2026, 3, 5, 10)
    with time_machine.travel(now, tick=False):
        day = at(2026, 3, 9).date()
        services.slots_materialise(rule=rule, date_from=day, date_to=day)
        slot = Slot.objects.get(rule=rule, start=at(2026, 3, 9, 9, 0))
        # Three places already taken: the last five are left.
        Slot.objects.filter(pk=slot.pk).update(booked=rule.capacity - PLACES)
        codes = {}
        for n in range(PEOPLE):
            phone = f"1390000{n:04d}"
            services.verification_code_request(phone=phone)
            codes[phone] = OutboxMessage.objects.get(template="verification_code", to=phone).params[
                "code"
            ]

        barrier = threading.Barrier(PEOPLE)
        results: list[tuple[int, dict]] = []
        lock = threading.Lock()

        def attempt(n: int) -> None:
            phone = f"1390000{n:04d}"
            body = {
                "center": center.code,
                "item_code": item.code,
                "slot_id": slot.pk,
                "name": f"市民{n}",
                "phone": phone,
                "id_number": person_id(1000 + n),
                "channel": "online",
                "verification_code": codes[phone],
            }
            try:
                barrier.wait(timeout=60)
                response = Client().post(
                    "/api/v1/appointments", body, content_type="application/json"
                )
                with lock:
                    results.append(
                        (response.status_code, response.json(), response["Content-Type"])
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(PEOPLE)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)

    statuses = sorted(code for code, _, _ in results)
    assert len(results) == PEOPLE
    assert statuses.count(201) == PLACES, statuses
    refused = [(body, ctype) for code, body, ctype in results if code != 201]
    assert len(refused) == PEOPLE - PLACES
    for body, ctype in refused:
        assert body["status"] == 409
        assert ctype.startswith("application/problem+json")
        assert body["code"] == "slot_full"
        assert body["detail"] == "该时段已约满，请选择其他时段。"
    slot.refresh_from_db()
    assert slot.booked == slot.capacity
    assert Appointment.objects.filter(slot=slot).count() == PLACES
    assert OutboxMessage.objects.filter(template="appointment_confirmed").count() == PLACES


@pytest.mark.django_db(transaction=True)
def test_one_person_racing_for_overlapping_slots_gets_one(center, department, item, rule):
    """Ten simultaneous phone bookings of one person for two overlapping slots (09:00–09:30
    of one item, 09:00–10:00 of another): the per-person lock lets exactly one through."""
    from govhall.appointments.models import BookingRule

    from .conftest import make_item

    other = make_item(center, department, code="SCJG-009", name="食品经营许可")
    other_rule = BookingRule.objects.create(center=center, item=other, slot_minutes=60)
    now = at(2026, 3, 5, 10)
    day = at(2026, 3, 9).date()
    for r in (rule, other_rule):
        services.slots_materialise(rule=r, date_from=day, date_to=day)
    slots = [
        (item, Slot.objects.get(rule=rule, start=at(2026, 3, 9, 9, 0))),
        (other, Slot.objects.get(rule=other_rule, start=at(2026, 3, 9, 9, 0))),
    ]
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        target_item, slot = slots[n % len(slots)]
        try:
            barrier.wait(timeout=60)
            services.appointment_book(
                center=center,
                item=target_item,
                slot=slot,
                name="同一人",
                phone="13700000000",
                id_number=person_id(77),
                channel="phone",
                now=now,
            )
            result = "ok"
        except services.Conflict as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == 10, outcomes  # no thread died of an unexpected error
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"overlapping_booking", "booking_limit_day"}
    assert Appointment.objects.filter(id_number=person_id(77)).count() == 1
    assert (
        sum(Slot.objects.filter(pk__in=[s.pk for _, s in slots]).values_list("booked", flat=True))
        == 1
    )
