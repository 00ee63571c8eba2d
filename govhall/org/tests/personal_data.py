"""Personal data at two centers, for tests that look for it where it must not show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.db import transaction

from govhall.core.validators import id_card_check_char
from govhall.org.models import Center, Role, User
from govhall.org.testing import make_center, make_department, make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 5, 10, 0, tzinfo=SH)  # a working Thursday


def person_id(n: int) -> str:
    first17 = f"2301021990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


@dataclass
class Person:
    name: str
    phone: str
    id_number: str
    landline: str


# Full values that must never appear unmasked (each differs from every masked form).
PEOPLE = {
    "A": Person("欧阳娜娜", "13912345678", person_id(7), "0451-86221234"),
    "B": Person("买买提·艾力", "13787654321", person_id(8), "0451-86229876"),
}


@dataclass
class World:
    a: Center
    b: Center
    appointments: dict
    messages: dict
    call_tasks: dict


def build(*, now: dt.datetime = NOW) -> World:
    """At centers A and B: a booking, its confirmation SMS and a phone-call task."""
    from govhall.appointments import services as booking
    from govhall.appointments.models import BookingRule, Slot
    from govhall.catalog.testing import make_item
    from govhall.notifications.services import notification_send

    a = make_center("PD-A", "甲县政务服务中心")
    b = make_center("PD-B", "乙县政务服务中心")
    appointments, messages, call_tasks = {}, {}, {}
    for key, center in (("A", a), ("B", b)):
        person = PEOPLE[key]
        item = make_item(
            center,
            make_department(center),
            code=f"PD-{key}-1",
            appointment_available=True,
            window_kind="general",
        )
        rule = BookingRule.objects.create(center=center, item=item, capacity=3, slot_minutes=30)
        day = dt.date(2026, 3, 9)
        booking.slots_materialise(rule=rule, date_from=day, date_to=day)
        slot = Slot.objects.filter(rule=rule).order_by("start").first()
        appointments[key] = booking.appointment_book(
            center=center,
            item=item,
            slot=slot,
            name=person.name,
            phone=person.phone,
            id_number=person.id_number,
            channel="phone",
            now=now,
        )
        with transaction.atomic():
            messages[key] = notification_send(
                template="verification_code",
                to=person.phone,
                params={"code": "246810", "minutes": 5},
                center=center,
                now=now,
            )
            call_tasks[key] = notification_send(
                template="case_rejected",
                to=person.landline,
                params={
                    "name": person.name,
                    "item": "食品经营许可",
                    "case_no": f"SCJG2026{key}",
                    "link": "https://x/d/ab",
                },
                center=center,
                now=now,
            ).call_task
    return World(a, b, appointments, messages, call_tasks)


ADMIN_MODELS = [
    "appointments.appointment",
    "notifications.outboxmessage",
    "notifications.phonecalltask",
    "notifications.sentsms",
    "notifications.smsoptout",
    "queueing.ticket",
]


def admin_viewer(username: str, role: str, center: Center) -> User:
    """A staff member of `center` allowed to view the admin pages of ADMIN_MODELS (as an
    operator would grant through a group)."""
    user = make_user(username, (role, center), is_staff=True)
    for label in ADMIN_MODELS:
        app_label, model = label.split(".")
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=f"view_{model}"
        ).first()
        if perm is not None:
            user.user_permissions.add(perm)
    return user


def leaks(html: str, *, names: bool = True) -> list[str]:
    """The full values of PEOPLE found in `html` (numbers only with names=False)."""
    found = []
    for person in PEOPLE.values():
        values = (person.name,) if names else ()
        for value in (*values, person.phone, person.id_number, person.landline):
            if value in html:
                found.append(value)
    return found


MANAGER = Role.MANAGER
