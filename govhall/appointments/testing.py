"""Test helpers other apps may use: a real appointment checked in at a center (what the
queue needs before it ranks a ticket as an appointment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.appointments.models import Appointment, BookingRule, Channel, Slot, Status, new_code


def checked_in_appointment(center: Any, *, now: dt.datetime, code: str | None = None) -> str:
    """Rows of a booking at `center` checked in at `now` without a ticket yet; its code."""
    from govhall.catalog.testing import make_item
    from govhall.org.testing import make_department

    department = make_department(center, "YYTEST", "预约测试部门")
    item = make_item(
        center, department, f"YYTEST-{Appointment.objects.count() + 1:03d}", "预约测试事项"
    )
    rule = BookingRule.objects.create(center=center, item=item)
    slot = Slot.objects.create(
        rule=rule,
        center=center,
        item=item,
        start=now,
        end=now + dt.timedelta(minutes=30),
        capacity=1,
        booked=1,
    )
    appointment = Appointment.objects.create(
        code=code or new_code(),
        center=center,
        item=item,
        rule=rule,
        slot=slot,
        slot_start=slot.start,
        slot_end=slot.end,
        name="预约人",
        phone="13800000000",
        id_number="230102199001010011",
        channel=Channel.PHONE,
        status=Status.CHECKED_IN,
        created_at=now - dt.timedelta(days=1),
        checked_in_at=now,
    )
    return appointment.code
