"""Demo booking rules for the demo center HL-239901 (idempotent).

Rules are created for every published item of the center that takes bookings; items the
catalog demo adds later get their rule on the next run.
"""

from __future__ import annotations

import datetime as dt

from govhall.appointments.models import BookingRule
from govhall.catalog.models import GuideVersion, ServiceItem
from govhall.org.models import Center

DEPARTMENTS = {
    "SCJG": ("青松县市场监督管理局", "青松市监"),
    "RSJ": ("青松县人力资源和社会保障局", "青松人社"),
    "YBJ": ("青松县医疗保障局", "青松医保"),
    "GAJ": ("青松县公安局（户政）", "青松公安"),
    "BDC": ("青松县不动产登记中心", "青松不动产"),
    "SWJ": ("国家税务总局青松县税务局", "青松税务"),
    "MZJ": ("青松县民政局", "青松民政"),
    "ZJJ": ("青松县住房和城乡建设局", "青松住建"),
}
# Busier domains get more places per slot; real estate runs extended hours (6.7.4).
SETTINGS = {
    "GAJ": {"capacity": 5},
    "BDC": {"capacity": 4, "extended_start": dt.time(17, 0), "extended_end": dt.time(18, 30)},
    "SWJ": {"capacity": 4, "morning_reminder": True},
}


def _centers() -> Center:
    province, _ = Center.objects.get_or_create(
        code="HL-230000",
        defaults={"name": "黑龙江省政务服务中心", "level": "province", "short_name": "黑龙江省"},
    )
    city, _ = Center.objects.get_or_create(
        code="HL-239900",
        defaults={
            "name": "鹤林市政务服务中心",
            "level": "city",
            "parent": province,
            "short_name": "鹤林市",
        },
    )
    county, _ = Center.objects.get_or_create(
        code="HL-239901",
        defaults={
            "name": "青松县政务服务中心",
            "level": "county",
            "parent": city,
            "short_name": "青松县",
            "sms_signature": "青松县政务服务中心",
        },
    )
    for code, (name, short) in DEPARTMENTS.items():
        county.departments.get_or_create(code=code, defaults={"name": name, "short_name": short})
    return county


def load(stdout) -> None:
    center = _centers()
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
