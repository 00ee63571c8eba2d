"""Reads of special-group services, aids, green-channel items and emergency records
(6.7.3–6.7.5), scoped to the hall staff of the caller's centers; their statistics."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from govhall.assistance.models_emergency import (
    Drill,
    EmergencyContact,
    EmergencyEquipment,
    EmergencyIncident,
)
from govhall.assistance.models_special import (
    Aid,
    AidLoan,
    GreenChannelItem,
    SpecialRequest,
)
from govhall.assistance.services._special_common import HALL_ROLES
from govhall.core.errors import InvalidInput, NotFound
from govhall.org import selectors_hours as hours
from govhall.org.models import Center, ExtendedService
from govhall.org.selectors import scope_for
from govhall.queueing.selectors_served import served_between

MAX_STATS_DAYS = 366
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def hall_center_ids(actor: Any) -> frozenset[int] | None:
    """Centers where the actor is hall staff; None for a superuser (every center)."""
    scope = scope_for(actor)
    if scope.is_admin:
        return None
    return scope.centers_with_role(HALL_ROLES)


def _scoped(qs: QuerySet, actor: Any, center: Center | None) -> QuerySet:
    ids = hall_center_ids(actor)
    if ids is not None:
        qs = qs.filter(center_id__in=ids)
    if center is not None:
        qs = qs.filter(center=center)
    return qs


def hall_centers(actor: Any) -> QuerySet[Center]:
    ids = hall_center_ids(actor)
    qs = Center.objects.filter(is_active=True)
    return qs if ids is None else qs.filter(pk__in=ids)


def special_requests_for(
    actor: Any, *, center: Center | None = None, status: str = "", kind: str = ""
) -> QuerySet[SpecialRequest]:
    qs = _scoped(SpecialRequest.objects.all(), actor, center).select_related(
        "center", "staff", "item"
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def special_request_get(actor: Any, pk: int) -> SpecialRequest:
    found = special_requests_for(actor).prefetch_related("events__actor").filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该服务申请。")
    return found


def aids_for(actor: Any, *, center: Center | None = None) -> list[Aid]:
    """Aids with their open loan (attribute `open_loan`, or None)."""
    aids = list(
        _scoped(Aid.objects.filter(is_active=True), actor, center)
        .select_related("center")
        .prefetch_related(
            Prefetch(
                "loans",
                queryset=AidLoan.objects.filter(returned_at__isnull=True),
                to_attr="open_loans",
            )
        )
    )
    for aid in aids:
        aid.open_loan = aid.open_loans[0] if aid.open_loans else None
    return aids


def aid_get(actor: Any, pk: int) -> Aid:
    found = _scoped(Aid.objects.all(), actor, None).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该设施。")
    return found


def loan_get(actor: Any, pk: int) -> AidLoan:
    found = _scoped(AidLoan.objects.select_related("aid"), actor, None).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该借用记录。")
    return found


def loans_for(actor: Any, *, center: Center | None = None, open_only: bool = False):
    qs = _scoped(AidLoan.objects.select_related("aid", "lent_by"), actor, center)
    return qs.filter(returned_at__isnull=True) if open_only else qs


def green_channel_of(center: Center) -> QuerySet[GreenChannelItem]:
    """The center's published green-channel items (public)."""
    return GreenChannelItem.objects.filter(
        center=center, published=True, item__is_active=True
    ).select_related("item", "item__department")


def green_channel_for_item(item: Any) -> GreenChannelItem | None:
    return (
        GreenChannelItem.objects.filter(center_id=item.center_id, item=item, published=True)
        .select_related("item")
        .first()
    )


# --- emergency -------------------------------------------------------------------------------


def incidents_for(
    actor: Any, *, center: Center | None = None, status: str = "", kind: str = ""
) -> QuerySet[EmergencyIncident]:
    qs = _scoped(EmergencyIncident.objects.select_related("center", "recorded_by"), actor, center)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def incident_get(actor: Any, pk: int) -> EmergencyIncident:
    found = incidents_for(actor).prefetch_related("events__actor").filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该应急事件。")
    return found


def equipment_for(actor: Any, *, center: Center | None = None, today: dt.date) -> list:
    """Equipment with `flag_list` (已过期 / 检查逾期 / 从未检查) and `next_check_on`."""
    rows = list(
        _scoped(EmergencyEquipment.objects.filter(is_active=True), actor, center).select_related(
            "center"
        )
    )
    for row in rows:
        row.flag_list = row.flags(today)
        row.next_check_on = row.next_check()
    return rows


def equipment_get(actor: Any, pk: int) -> EmergencyEquipment:
    found = _scoped(EmergencyEquipment.objects.all(), actor, None).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该应急设备。")
    return found


def contacts_for(actor: Any, *, center: Center | None = None) -> QuerySet[EmergencyContact]:
    return _scoped(EmergencyContact.objects.select_related("center"), actor, center)


def drills_for(actor: Any, *, center: Center | None = None) -> QuerySet[Drill]:
    return _scoped(Drill.objects.select_related("center"), actor, center)


# --- statistics --------------------------------------------------------------------------------


def extended_hours_served(center: Center, start: dt.date, end: dt.date) -> dict[str, int]:
    """6.7.4 records: tickets whose service began in an extended session opening their
    window, per session kind, from `start` to `end` (inclusive)."""
    tz = timezone.get_default_timezone()
    services = hours.extended_services_of(center)
    counts: Counter[str] = Counter()
    if not services:
        return {}
    by_day: dict[dt.date, list] = {}
    rows = served_between(
        center.pk,
        dt.datetime.combine(start, dt.time.min, tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz),
    )
    for row in rows:
        called = timezone.localtime(row["called_at"])
        day = called.date()
        if day not in by_day:
            by_day[day] = hours.extended_hours_for(center, day, services=services)
        for session in by_day[day]:
            if session.start <= called < session.end and session.service.covers(
                row["window_id"],
                row["window__zone_id"],
                set(session.window_ids),
                set(session.zone_ids),
            ):
                counts[session.service.kind] += 1
                break
    return dict(counts)


def special_stats(actor: Any, center: Center, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Counts of a center's special services, aid loans, emergency records and service in
    extended hours over a date range (inclusive)."""
    for field, day in (("start", start), ("end", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput("日期须在 2000 年至 2100 年之间。", field=field)
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。", field="end")
    if (end - start).days >= MAX_STATS_DAYS:
        raise InvalidInput(f"统计区间不能超过{MAX_STATS_DAYS}天。", field="end")
    ids = hall_center_ids(actor)
    if ids is not None and center.pk not in ids:
        raise NotFound("未找到该中心。")
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    requests = list(
        SpecialRequest.objects.filter(center=center, requested_at__gte=lo, requested_at__lt=hi)
        .select_related("staff")
        .only("kind", "status", "requested_at", "done_at", "staff__display_name", "staff__username")
    )
    done = [r for r in requests if r.status == SpecialRequest.Status.DONE and r.done_at]
    hours_to_done = (
        round(sum((r.done_at - r.requested_at).total_seconds() for r in done) / 3600 / len(done), 1)
        if done
        else None
    )
    per_staff = Counter(
        (r.staff.display_name or r.staff.username) for r in done if r.staff_id is not None
    )
    labels = dict(SpecialRequest.Kind.choices)
    return {
        "center": center.code,
        "start": start,
        "end": end,
        "requests": {labels[k]: n for k, n in sorted(Counter(r.kind for r in requests).items())},
        "requests_by_status": dict(Counter(r.get_status_display() for r in requests)),
        "requests_done": len(done),
        "average_hours_to_done": hours_to_done,
        "done_per_staff": dict(per_staff.most_common()),
        "aid_loans": AidLoan.objects.filter(center=center, lent_at__gte=lo, lent_at__lt=hi).count(),
        "emergencies": {
            label: n
            for label, n in Counter(
                i.get_kind_display()
                for i in EmergencyIncident.objects.filter(
                    center=center, occurred_at__gte=lo, occurred_at__lt=hi
                )
            ).items()
        },
        "drills": Drill.objects.filter(center=center, held_on__gte=start, held_on__lte=end).count(),
        "extended_hours_served": {
            dict(ExtendedService.Kind.choices)[k]: n
            for k, n in extended_hours_served(center, start, end).items()
        },
    }


def hall_staff_of(center: Center) -> list:
    """Active staff holding a hall role at the center (whom a visit can be given to)."""
    from govhall.org.models import User

    return list(
        User.objects.filter(
            is_active=True, is_device=False, roles__center=center, roles__role__in=HALL_ROLES
        )
        .distinct()
        .order_by("username")[:200]
    )
