"""Booking through the API and the services: codes, materials, SMS, 4xx mapping (limits:
test_booking_limits.py)."""

import datetime as dt
import re

import pytest
import time_machine

from govhall.appointments import services
from govhall.appointments.models import CODE_ALPHABET, Appointment, Slot
from govhall.core.models import AuditEntry

from .conftest import at, person_id

NOW = at(2026, 3, 5, 10)  # Thursday


def first_slot(rule, day=dt.date(2026, 3, 9), hour=9, minute=0):
    services.slots_materialise(rule=rule, date_from=day, date_to=day)
    return Slot.objects.get(rule=rule, start=at(day.year, day.month, day.day, hour, minute))


def request_code(client, phone):
    from govhall.notifications.models import OutboxMessage

    response = client.post(
        "/api/v1/appointments/verification-code", {"phone": phone}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    message = OutboxMessage.objects.filter(template="verification_code", to=phone).latest("id")
    assert message.urgent is True
    return message.params["code"]


def book(client, center_, item_, slot_, n=1, phone=None, code=None, **extra):
    phone = phone or f"1380000{n:04d}"
    if code is None:
        code = request_code(client, phone)
    body = {
        "center": center_.code,
        "item_code": item_.code,
        "slot_id": slot_.pk,
        "name": "张三",
        "phone": phone,
        "id_number": person_id(n),
        "channel": "online",
        "verification_code": code,
        **extra,
    }
    return client.post("/api/v1/appointments", body, content_type="application/json")


@pytest.mark.django_db
def test_online_booking_returns_code_slot_materials_and_queues_confirmation(
    client, center, item, rule, outbox
):
    with time_machine.travel(NOW, tick=False):
        slot = first_slot(rule)
        response = book(client, center, item, slot)
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{8}}", body["code"])
    assert not set(body["code"]) & set("0O1I")
    assert body["slot"]["id"] == slot.pk and body["slot"]["remaining"] == 2
    assert [m["name"] for m in body["materials"]] == [
        "经营者身份证明",
        "经营场所使用证明",
        "委托书",
    ]
    assert body["materials"][1]["copies"] == 2 and body["materials"][2]["required"] is False
    assert body["notice_url"].endswith(f"/booking/c/{body['code']}/")
    assert body["id_number"] == "230102********" + person_id(1)[-4:]
    assert body["phone"] == "138****0001" and body["name"] == "张*"
    assert "一楼A区等候区" in body["place"]
    [sms] = outbox("appointment_confirmed")
    assert sms.to == "13800000001"
    assert sms.params["code"] == body["code"]
    assert sms.params["date"] == "2026年03月09日" and sms.params["time"] == "09:00-09:30"
    assert sms.params["link"].endswith(f"/booking/c/{body['code']}/")
    assert set(sms.params) == {"name", "item", "date", "time", "place", "code", "link"}
    appointment = Appointment.objects.get(code=body["code"])
    assert appointment.events.get().action == "booked"
    assert AuditEntry.objects.filter(action="govhall.appointments.appointment.booked").exists()
    # The day-before reminder is scheduled for Friday 6 March 09:00 (working day before).
    assert appointment.reminder_due_at == at(2026, 3, 6, 9)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": person_id(1)[:17] + ("1" if person_id(1)[17] != "1" else "2")}, "id_number"),
        ({"id_number": "123"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
        ({"slot_id": 999999}, "slot_id"),
        ({"item_code": "NOPE"}, "item_code"),
        ({"center": "NOPE"}, "center"),
        ({"channel": "fax"}, "channel"),
        ({"slot_id": "abc"}, "slot_id"),
    ],
)
def test_bad_input_is_422_problem_naming_the_field(client, center, item, rule, change, field):
    with time_machine.travel(NOW, tick=False):
        slot = first_slot(rule)
        code = request_code(client, "13800000001")
        response = book(client, center, item, slot, code=code, **change)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert field in [e["field"] for e in problem["errors"]]
    assert problem["detail"]


@pytest.mark.django_db
def test_missing_field_is_422(client, center, item, rule):
    response = client.post(
        "/api/v1/appointments", {"center": center.code}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"item_code", "slot_id", "name", "id_number"} <= fields


@pytest.mark.django_db
def test_online_booking_needs_a_valid_sms_code(client, center, item, rule):
    with time_machine.travel(NOW, tick=False):
        slot = first_slot(rule)
        missing = book(client, center, item, slot, code="")
        wrong = book(client, center, item, slot, code="000000")
        assert missing.status_code == wrong.status_code == 422
        assert missing.json()["errors"][0]["field"] == "verification_code"
        assert wrong.json()["errors"][0]["field"] == "verification_code"
        # A code is consumed by the booking: it cannot book a second time.
        code = request_code(client, "13800000002")
        assert book(client, center, item, slot, n=2, code=code).status_code == 201
        again = book(
            client, center, item, first_slot(rule, hour=10), n=3, phone="13800000002", code=code
        )
        assert again.status_code == 422


@pytest.mark.django_db
def test_code_requests_are_rate_limited_per_phone(client):
    with time_machine.travel(NOW, tick=False) as traveller:
        request_code(client, "13800000009")
        second = client.post(
            "/api/v1/appointments/verification-code",
            {"phone": "13800000009"},
            content_type="application/json",
        )
        assert second.status_code == 400
        assert second.json()["code"] == "rate_limited"
        for _ in range(4):
            traveller.shift(dt.timedelta(seconds=61))
            request_code(client, "13800000009")
        traveller.shift(dt.timedelta(seconds=61))
        sixth = client.post(
            "/api/v1/appointments/verification-code",
            {"phone": "13800000009"},
            content_type="application/json",
        )
        assert sixth.status_code == 400 and "一小时" in sixth.json()["detail"]
        bad = client.post(
            "/api/v1/appointments/verification-code",
            {"phone": "0451-1234567"},
            content_type="application/json",
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "phone"


@pytest.mark.django_db
def test_full_slot_is_409_with_a_clear_message(client, center, item, rule):
    rule.capacity = 1
    rule.save()
    with time_machine.travel(NOW, tick=False):
        slot = first_slot(rule)
        assert book(client, center, item, slot, n=1).status_code == 201
        response = book(client, center, item, slot, n=2)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "slot_full"
    assert "约满" in response.json()["detail"]
    slot.refresh_from_db()
    assert slot.booked == 1
