"""Slots exist on working days only (2026 calendar: Spring Festival and 调休 Saturdays)."""

import datetime as dt

import pytest
import time_machine

from govhall.appointments import selectors, services
from govhall.appointments.models import BookingRule, CenterClosure, Slot

from .conftest import at


def _dates(rule):
    return {s.date for s in Slot.objects.filter(rule=rule)}


@pytest.mark.django_db
def test_slots_skip_weekends_and_holidays_and_include_adjusted_saturdays(rule):
    services.slots_materialise(
        rule=rule, date_from=dt.date(2026, 2, 9), date_to=dt.date(2026, 3, 8)
    )
    dates = _dates(rule)
    assert dt.date(2026, 2, 14) in dates  # Saturday, adjusted working day (调休)
    assert dt.date(2026, 2, 28) in dates  # Saturday, adjusted working day
    for day in range(16, 24):  # Spring Festival 2026-02-15..23 (16..23 are weekdays/holiday)
        assert dt.date(2026, 2, day) not in dates
    assert dt.date(2026, 2, 15) not in dates  # Sunday inside the holiday
    assert dt.date(2026, 3, 7) not in dates  # an ordinary Saturday
    assert dt.date(2026, 3, 8) not in dates  # an ordinary Sunday
    assert dt.date(2026, 2, 13) in dates and dt.date(2026, 2, 24) in dates
    # Morning 09:00-12:00 and afternoon 13:30-17:00 in 30-minute slots: 6 + 7.
    assert Slot.objects.filter(rule=rule, start__date=dt.date(2026, 2, 14)).count() == 13


@pytest.mark.django_db
def test_materialise_is_idempotent(rule):
    args = {"rule": rule, "date_from": dt.date(2026, 2, 24), "date_to": dt.date(2026, 2, 27)}
    services.slots_materialise(**args)
    first = Slot.objects.count()
    services.slots_materialise(**args)
    assert Slot.objects.count() == first == 4 * 13


@pytest.mark.django_db
def test_bookable_range_counts_working_days(rule):
    rule.days_ahead = 3
    # From Friday 13 Feb 2026: next working days are Sat 14 (调休), Tue 24, Wed 25.
    assert rule.bookable_dates(dt.date(2026, 2, 13)) == [
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 24),
        dt.date(2026, 2, 25),
    ]
    slots = services.slots_offer(rule=rule, now=at(2026, 2, 13, 10))
    assert {s.date for s in slots} == {
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 24),
        dt.date(2026, 2, 25),
    }


@pytest.mark.django_db
def test_closure_removes_slots(rule, center):
    CenterClosure.objects.create(
        center=center,
        start_date=dt.date(2026, 3, 10),
        end_date=dt.date(2026, 3, 11),
        reason="停电检修",
    )
    slots = services.slots_offer(rule=rule, now=at(2026, 3, 6, 10))
    dates = {s.date for s in slots}
    assert dt.date(2026, 3, 9) in dates
    assert dt.date(2026, 3, 10) not in dates and dt.date(2026, 3, 11) not in dates
    assert dt.date(2026, 3, 12) in dates


@pytest.mark.django_db
def test_extended_hours_add_slots(rule):
    rule.morning = False
    rule.afternoon = False
    rule.extended_start = dt.time(17, 0)
    rule.extended_end = dt.time(18, 30)
    rule.save()
    services.slots_materialise(
        rule=rule, date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 9)
    )
    starts = [
        s.start.astimezone(at(2026, 1, 1).tzinfo).time() for s in Slot.objects.order_by("start")
    ]
    assert starts == [dt.time(17, 0), dt.time(17, 30), dt.time(18, 0)]


@pytest.mark.django_db
def test_department_rule_covers_its_items(center, department, item):
    rule = BookingRule.objects.create(center=center, department=department)
    assert selectors.rule_for_item(center=center, item=item) == rule
    own = BookingRule.objects.create(center=center, item=item)
    assert selectors.rule_for_item(center=center, item=item) == own


@pytest.mark.django_db
def test_slots_api_lists_working_days_only(client, rule, center, item):
    rule.days_ahead = 5
    rule.save()
    with time_machine.travel(at(2026, 2, 13, 10), tick=False):
        response = client.get(
            "/api/v1/appointments/slots",
            {"center": center.code, "item_code": item.code},
        )
    assert response.status_code == 200
    body = response.json()
    dates = {r["date"] for r in body["results"]}
    assert dates == {"2026-02-14", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27"}
    assert body["count"] == 5 * 13
    assert body["results"][0]["remaining"] == 3
    assert body["results"][0]["start"].endswith("+08:00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"item_code": "SCJG-001"}, "center"),
        ({"center": "HL-T01", "item_code": "NOPE"}, "item_code"),
        ({"center": "HL-T01", "item_code": "SCJG-001", "date_from": "2026-13-01"}, "date_from"),
        ({"center": "nowhere", "item_code": "SCJG-001"}, "center"),
    ],
)
def test_slots_api_bad_input_names_the_field(client, rule, params, field):
    response = client.get("/api/v1/appointments/slots", params)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.mark.django_db
def test_available_slots_is_a_read_only(rule):
    """The selector reads what is stored: no INSERT/UPDATE, whether rows exist or not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = at(2026, 3, 6, 10)
    with CaptureQueriesContext(connection) as missing:
        assert selectors.available_slots(rule=rule, now=now) == []
    assert missing.captured_queries and _writes(missing.captured_queries) == []
    assert Slot.objects.count() == 0

    offered = services.slots_offer(rule=rule, now=now)  # the service creates the rows
    assert offered and Slot.objects.count() >= len(offered)
    with CaptureQueriesContext(connection) as stored:
        assert selectors.available_slots(rule=rule, now=now) == offered
    assert _writes(stored.captured_queries) == []
    with CaptureQueriesContext(connection) as again:
        services.slots_offer(rule=rule, now=now)
    assert _writes(again.captured_queries) == []  # rows exist: the service reads too
