"""Demo booking rules for the demo center HL-239901 (idempotent).

Rules are created for every published item of the center that takes bookings; items the
catalog demo adds later get their rule on the next run.
"""

from __future__ import annotations

import datetime as dt

from govhall.appointments.models import BookingRule
from govhall.catalog.models import GuideVersion, ServiceItem
from govhall.org.demo import demo_center

# Busier domains get more places per slot; real estate runs extended hours (6.7.4).
SETTINGS = {
    "GAJ": {"capacity": 5},
    "BDC": {"capacity": 4, "extended_start": dt.time(17, 0), "extended_end": dt.time(18, 30)},
    "SWJ": {"capacity": 4, "morning_reminder": True},
}


def load(stdout) -> None:
    center = demo_center()
    items = ServiceItem.objects.filter(
        center=center,
        is_active=True,
        published__status=GuideVersion.Status.PUBLISHED,
        published__appointment_available=True,
    ).select_related("department")
    created = 0
    for item in items:
        extra = SETTINGS.get(item.department.code, {})
        _, new = BookingRule.objects.get_or_create(center=center, item=item, defaults=extra)
        created += int(new)
    total = BookingRule.objects.filter(center=center).count()
    stdout.write(f"预约规则：新建 {created} 条，共 {total} 条（{center.name}）。")
