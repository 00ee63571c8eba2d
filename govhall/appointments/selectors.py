"""Reads of appointments used by pages, the API, jobs and other apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.appointments.models import (
    Appointment,
    BookingRule,
    CenterClosure,
    Slot,
    Status,
    normalise_code,
)
from govhall.catalog.models import GuideVersion, ServiceItem

STAFF_ROLES = ("consultant", "guide", "manager")


def no_show_policy() -> tuple[int, int, int]:
    """(no-shows that block, within days, block days): settings, default 2 / 30 / 90."""
    return (
        int(getattr(settings, "APPOINTMENT_NO_SHOW_LIMIT", 2)),
        int(getattr(settings, "APPOINTMENT_NO_SHOW_WINDOW_DAYS", 30)),
        int(getattr(settings, "APPOINTMENT_BLOCK_DAYS", 90)),
    )


@dataclass(frozen=True)
class BookingBlock:
    until: dt.date
    no_shows: int
    window_days: int

    def message(self, staff: bool = False) -> str:
        base = (
            f"{self.window_days}天内有{self.no_shows}次预约未到场，"
            f"网上预约暂停至{self.until:%Y年%m月%d日}"
        )
        if staff:
            return f"注意：此人{base}（工作人员电话/现场登记仍可预约）。"
        return f"因您{base}。如需办理，请致电中心或到现场预约、取号。"


def booking_block(*, id_number: str, phone: str | None, now: dt.datetime) -> BookingBlock | None:
    """Online booking is blocked for `block days` after the no-show that reached the limit
    within the window (calendar days: a house rule, not a legal period). Counted per ID
    number together with the phone that booked, so that no-shows of bookings a stranger
    made with someone's ID number never block that person. `phone=None` (staff screens,
    where it is only a warning and never refuses) counts every phone of the ID number."""
    limit, window_days, block_days = no_show_policy()
    if limit <= 0:
        return None
    since = now - dt.timedelta(days=window_days + block_days)
    no_shows = Appointment.objects.filter(
        id_number=id_number, status=Status.NO_SHOW, slot_start__gte=since
    )
    if phone is not None:
        no_shows = no_shows.filter(phone=phone)
    times = list(no_shows.order_by("slot_start").values_list("slot_start", flat=True))
    best: BookingBlock | None = None
    for i, last in enumerate(times):
        within = [t for t in times[: i + 1] if t > last - dt.timedelta(days=window_days)]
        if len(within) < limit:
            continue
        until = timezone.localtime(last).date() + dt.timedelta(days=block_days)
        if until > timezone.localtime(now).date() and (best is None or until > best.until):
            best = BookingBlock(until=until, no_shows=len(within), window_days=window_days)
    return best


def closed_dates(*, rule: BookingRule, date_from: dt.date, date_to: dt.date) -> set[dt.date]:
    dates: set[dt.date] = set()
    closures = CenterClosure.objects.filter(
        Q(rule__isnull=True) | Q(rule=rule),
        center_id=rule.center_id,
        start_date__lte=date_to,
        end_date__gte=date_from,
    )
    for closure in closures:
        day = max(closure.start_date, date_from)
        while day <= min(closure.end_date, date_to):
            dates.add(day)
            day += dt.timedelta(days=1)
    return dates


def bookable_guide(item: ServiceItem) -> GuideVersion | None:
    """The published guide if the item is active and takes bookings."""
    if not item.is_active or item.published_id is None:
        return None
    guide = item.published
    if guide.status != GuideVersion.Status.PUBLISHED or not guide.appointment_available:
        return None
    return guide


def rule_for_item(*, center: Any, item: ServiceItem) -> BookingRule | None:
    """The item's own rule, else its department's rule."""
    rules = BookingRule.objects.select_related("center").filter(center=center, is_active=True)
    return (
        rules.filter(item=item).first()
        or rules.filter(item__isnull=True, department_id=item.department_id).first()
    )


def bookable_items(center: Any) -> list[tuple[ServiceItem, BookingRule]]:
    rules = list(BookingRule.objects.filter(center=center, is_active=True))
    by_item = {r.item_id: r for r in rules if r.item_id}
    by_dept = {r.department_id: r for r in rules if not r.item_id}
    items = (
        ServiceItem.objects.filter(
            center=center,
            is_active=True,
            published__status=GuideVersion.Status.PUBLISHED,
            published__appointment_available=True,
        )
        .filter(Q(id__in=by_item.keys()) | Q(department_id__in=by_dept.keys()))
        .select_related("department", "published")
        .order_by("department__code", "code")
    )
    return [(i, by_item.get(i.pk) or by_dept[i.department_id]) for i in items]


def item_by_code(*, center: Any, code: str) -> ServiceItem | None:
    return (
        ServiceItem.objects.select_related("published", "department")
        .filter(center=center, code=(code or "").strip())
        .first()
    )


def bookable_range(
    *,
    rule: BookingRule,
    now: dt.datetime,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    staff: bool = False,
) -> tuple[dt.date, dt.date] | None:
    """The dates [low, high] a caller may book within, or None when the asked range lies
    outside. Online: from the next working day up to `days_ahead` working days; staff
    (phone and on-site) may also book the rest of today."""
    today = timezone.localtime(now).date()
    dates = rule.bookable_dates(today)
    first = today if staff else dates[0]
    low = max(date_from or first, first)
    high = min(date_to or dates[-1], dates[-1])
    return (low, high) if low <= high else None


def available_slots(
    *,
    rule: BookingRule,
    now: dt.datetime,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    staff: bool = False,
) -> list[Slot]:
    """Future open slots of the rule within the bookable range (see `bookable_range`), as
    they are stored: a read only. `services.slots_offer` first creates the missing rows."""
    found = bookable_range(rule=rule, now=now, date_from=date_from, date_to=date_to, staff=staff)
    if found is None:
        return []
    low, high = found
    closed = closed_dates(rule=rule, date_from=low, date_to=high)
    tz = timezone.get_current_timezone()
    qs = Slot.objects.filter(
        rule=rule,
        is_closed=False,
        start__gt=now,
        start__gte=dt.datetime.combine(low, dt.time.min, tzinfo=tz),
        start__lt=dt.datetime.combine(high + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    ).order_by("start")
    return [s for s in qs if s.date not in closed]


def public_phone(phone: str) -> str:
    """The phone as shown to anyone holding a booking code (confirmation page, cancel
    page): only the last four digits, e.g. “尾号0001”."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return f"尾号{digits[-4:]}" if len(digits) >= 7 else ""


def public_id_number(id_number: str) -> str:
    """The ID number as shown to anyone holding a booking code: the last four only."""
    value = (id_number or "").strip()
    return f"尾号{value[-4:]}" if len(value) >= 8 else ""


def appointment_by_code(code: str) -> Appointment | None:
    return (
        Appointment.objects.select_related("item", "center", "slot", "rule", "guide__zone")
        .filter(code=normalise_code(code))
        .first()
    )


def materials_of(guide: GuideVersion | None) -> list[dict[str, Any]]:
    """The full materials list of the guide (one-time notice, 6.3.2)."""
    if guide is None:
        return []
    return [
        {
            "id": m.pk,
            "name": m.name,
            "required": m.required,
            "form": m.get_form_display(),
            "copies": m.copies,
            "original_required": m.original_required,
            "notes": m.notes,
        }
        for m in guide.materials.all().order_by("position", "id")
    ]


def staff_centers(scope: Any) -> QuerySet:
    from govhall.org.selectors import centers_public

    centers = centers_public()
    if scope.is_admin:
        return centers
    ids = [
        cid
        for cid, roles in scope.center_roles.items()
        if roles & set(STAFF_ROLES) or "admin" in roles
    ]
    return centers.filter(id__in=ids)


def can_manage(scope: Any, center_id: int) -> bool:
    return scope.is_admin or any(scope.has_role(r, center_id) for r in (*STAFF_ROLES, "admin"))


def day_bookings(*, center: Any, day: dt.date) -> QuerySet[Appointment]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return (
        Appointment.objects.filter(
            center=center, slot_start__gte=start, slot_start__lt=start + dt.timedelta(days=1)
        )
        .select_related("item", "slot", "rule", "created_by")
        .order_by("item__code", "slot_start", "id")
    )


def due_reminders(now: dt.datetime, *, limit: int = 500) -> list[tuple[Appointment, str]]:
    base = Appointment.objects.select_related("item", "center", "guide__zone").filter(
        status=Status.BOOKED, slot_start__gt=now
    )
    day_before = base.filter(reminder_due_at__lte=now, reminder_sent_at__isnull=True)[:limit]
    morning = base.filter(morning_reminder_due_at__lte=now, morning_reminder_sent_at__isnull=True)[
        :limit
    ]
    return [(a, "day_before") for a in day_before] + [(a, "morning") for a in morning]


def no_show_candidates(now: dt.datetime, *, limit: int = 500) -> list[Appointment]:
    qs = Appointment.objects.select_related("rule").filter(status=Status.BOOKED, slot_end__lt=now)
    return [a for a in qs.order_by("slot_end")[:limit] if a.is_no_show_at(now)]
