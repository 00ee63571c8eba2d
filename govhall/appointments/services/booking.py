"""Slots and booking: materialising slots, checking the person and their limits, taking a
place without overselling, booking."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from govhall.appointments import selectors
from govhall.appointments.models import (
    Appointment,
    BookingRule,
    Channel,
    Slot,
    VerificationCode,
    new_code,
    reminder_times,
)
from govhall.appointments.services._common import (
    _event,
    _local,
    _now,
    _sms_date_time,
    confirmation_link,
    online_code_required,
)
from govhall.core import workdays
from govhall.core.errors import Conflict, Forbidden, InvalidInput
from govhall.core.validators import validate_id_document, validate_mobile
from govhall.notifications.services import notification_send

_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,5})?")


# --- slots -----------------------------------------------------------------------------------


def slots_materialise(*, rule: BookingRule, date_from: dt.date, date_to: dt.date) -> int:
    """Create the missing slot rows of working days in [date_from, date_to]; idempotent
    (unique on rule + start, conflicts ignored), so concurrent callers cannot duplicate a
    slot. Returns how many rows were missing."""
    closed = selectors.closed_dates(rule=rule, date_from=date_from, date_to=date_to)
    rows = []
    day = date_from
    while day <= date_to:
        # Stepping through calendar days is iteration, not a legal period: each day is
        # checked against the official calendar.
        if workdays.is_workday(day) and day not in closed:
            for start, end in rule.slot_starts(day):
                rows.append(
                    Slot(
                        rule=rule,
                        center_id=rule.center_id,
                        item_id=rule.item_id,
                        start=start,
                        end=end,
                        capacity=rule.capacity,
                    )
                )
        day += dt.timedelta(days=1)
    if rows:
        # Usually all rows exist already: a read is cheaper than a write on every page view.
        existing = set(
            Slot.objects.filter(
                rule=rule, start__gte=rows[0].start, start__lte=rows[-1].start
            ).values_list("start", flat=True)
        )
        rows = [r for r in rows if r.start not in existing]
    if rows:
        Slot.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def slots_offer(
    *,
    rule: BookingRule,
    now: dt.datetime,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    staff: bool = False,
) -> list[Slot]:
    """The slots to offer a caller: creates the missing slot rows of the bookable range
    (`slots_materialise`, idempotent), then reads them (`selectors.available_slots`)."""
    found = selectors.bookable_range(
        rule=rule, now=now, date_from=date_from, date_to=date_to, staff=staff
    )
    if found is None:
        return []
    slots_materialise(rule=rule, date_from=found[0], date_to=found[1])
    return selectors.available_slots(
        rule=rule, now=now, date_from=date_from, date_to=date_to, staff=staff
    )


# --- validation of the person ----------------------------------------------------------------


def _clean_person(
    *, name: str, phone: str, id_number: str, id_type: str, channel: str
) -> tuple[str, str, str]:
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append({"field": "name", "message": "请填写姓名。"})
    elif len(name) > 50:
        errors.append({"field": "name", "message": "姓名过长。"})
    try:
        id_number = validate_id_document(id_type or "resident_id", id_number or "")
    except ValidationError as exc:
        errors.append({"field": "id_number", "message": exc.messages[0]})
    phone = re.sub(r"\s", "", phone or "")
    if channel == Channel.ONLINE or (phone and not _LANDLINE.fullmatch(phone)):
        try:
            phone = validate_mobile(phone)
        except ValidationError as exc:
            errors.append({"field": "phone", "message": exc.messages[0]})
    if errors:
        detail = "；".join(e["message"] for e in errors)
        raise InvalidInput(f"提交的内容有误：{detail}", errors=errors)
    return name, phone, id_number


def _lock_person(id_number: str) -> None:
    """Serialise bookings of one person so two overlapping bookings cannot both pass the
    overlap check. SQLite transactions here are IMMEDIATE, which already serialises."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"appt:{id_number}"])


def _check_person_limits(
    *,
    rule: BookingRule,
    slot: Slot,
    id_number: str,
    phone: str,
    exclude: Appointment | None = None,
) -> None:
    """Overlaps and per-day/per-week limits of one person: the ID number together with the
    phone that booked (verified by SMS online), so that a stranger typing someone's ID
    number can neither use up nor reveal their bookings. The answer never names another
    booking."""
    active = Appointment.objects.filter(
        id_number=id_number, phone=phone, status__in=Appointment.ACTIVE
    )
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    if active.filter(slot_start__lt=slot.end, slot_end__gt=slot.start).exists():
        raise Conflict(
            "您在该时段已有时间重叠的预约，同一人不能同时持有时间重叠的预约。"
            "如需查看，请使用预约确认短信中的链接。",
            code="overlapping_booking",
            field="slot_id",
        )
    day = slot.date
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    same_day = _count_starting(active, slot.center_id, day_start, days=1)
    if same_day >= rule.max_per_day:
        raise Conflict(
            f"同一证件每天最多预约 {rule.max_per_day} 次，{day:%Y年%m月%d日}已达上限。",
            code="booking_limit_day",
            field="id_number",
        )
    # A calendar week (Monday to Sunday), not a legal period.
    week_start = day_start - dt.timedelta(days=day.weekday())
    same_week = _count_starting(active, slot.center_id, week_start, days=7)
    if same_week >= rule.max_per_week:
        raise Conflict(
            f"同一证件每周最多预约 {rule.max_per_week} 次，该周已达上限。",
            code="booking_limit_week",
            field="id_number",
        )


def _count_starting(active: QuerySet, center_id: int, start: dt.datetime, *, days: int) -> int:
    # Calendar days (a day, a Monday-to-Sunday week), not a legal period.
    return active.filter(
        center_id=center_id,
        slot_start__gte=start,
        slot_start__lt=start + dt.timedelta(days=days),
    ).count()


def _take_place(slot: Slot) -> None:
    # The one guard against overselling: a conditional increment. Two people racing for
    # the last place both run it; the database lets exactly one of them change the row.
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity"), is_closed=False).update(
        booked=F("booked") + 1
    )
    if taken != 1:
        raise Conflict("该时段已约满，请选择其他时段。", code="slot_full", field="slot_id")


def _free_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _reminders_due(rule: BookingRule, slot: Slot, now: dt.datetime) -> dict[str, Any]:
    reminder_at, morning_at = reminder_times(rule, slot.start)
    # Booked after the reminder time: the confirmation is reminder enough.
    return {
        "reminder_due_at": reminder_at if reminder_at > now else None,
        "morning_reminder_due_at": morning_at if morning_at and morning_at > now else None,
    }


def _unique_code() -> str:
    for _ in range(10):
        code = new_code()
        if not Appointment.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not allocate an appointment code")


def _slot_window_ok(*, rule: BookingRule, slot: Slot, channel: str, now: dt.datetime) -> None:
    if slot.rule_id != rule.pk:
        raise InvalidInput("所选时段不属于该事项。", field="slot_id")
    if slot.is_closed or slot.date in selectors.closed_dates(
        rule=rule, date_from=slot.date, date_to=slot.date
    ):
        raise Conflict("该时段已停止预约，请选择其他时段。", code="slot_closed", field="slot_id")
    if slot.start <= now:
        raise InvalidInput("所选时段已开始或已过去，请选择其他时段。", field="slot_id")
    today = _local(now).date()
    dates = rule.bookable_dates(today)
    if slot.date > dates[-1]:
        raise InvalidInput(f"只能预约{rule.days_ahead}个工作日以内的时段。", field="slot_id")
    if channel == Channel.ONLINE and slot.date < dates[0]:
        raise InvalidInput("网上预约最早可约下一个工作日。", field="slot_id")


# --- booking ---------------------------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    center: Any,
    item: Any,
    slot: Slot,
    name: str,
    phone: str,
    id_number: str,
    channel: str,
    id_type: str = "resident_id",
    verification: VerificationCode | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one place. Online bookings are refused while the person is blocked for
    no-shows; staff bookings (phone/on-site) pass with the warning stored and shown."""
    now = _now(now)
    if channel not in Channel.values:
        raise InvalidInput("预约渠道不正确。", field="channel")
    name, phone, id_number = _clean_person(
        name=name, phone=phone, id_number=id_number, id_type=id_type, channel=channel
    )
    guide = selectors.bookable_guide(item)
    if guide is None or item.center_id != center.pk:
        raise InvalidInput("该事项不在本中心提供预约。", field="item_code")
    rule = selectors.rule_for_item(center=center, item=item)
    if rule is None:
        raise InvalidInput("该事项不在本中心提供预约。", field="item_code")
    _slot_window_ok(rule=rule, slot=slot, channel=channel, now=now)
    if verification is not None:
        # Burned by the caller (services.verification_code_use) before this transaction,
        # so that a failed or rolled-back attempt costs the code too.
        if verification.used_at is None or verification.phone != phone:
            raise InvalidInput("验证码与手机号不匹配。", field="verification_code")
    elif channel == Channel.ONLINE and online_code_required():
        raise InvalidInput("请先获取并填写短信验证码。", field="verification_code")
    online = channel == Channel.ONLINE
    block = selectors.booking_block(id_number=id_number, phone=phone if online else None, now=now)
    warning = ""
    if block is not None:
        if channel == Channel.ONLINE:
            raise Forbidden(block.message(), code="booking_blocked", field="id_number")
        warning = block.message(staff=True)
    _lock_person(id_number)
    _check_person_limits(rule=rule, slot=slot, id_number=id_number, phone=phone)
    _take_place(slot)
    slot.refresh_from_db(fields=["booked"])
    appointment = Appointment.objects.create(
        code=_unique_code(),
        center=center,
        item=item,
        guide=guide,
        rule=rule,
        slot=slot,
        slot_start=slot.start,
        slot_end=slot.end,
        name=name,
        phone=phone,
        id_number=id_number,
        channel=channel,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        block_warning=warning,
        status_changed_at=now,
        **_reminders_due(rule, slot, now),
    )
    _event(appointment, action="booked", from_status="", reason=warning, actor=actor, now=now)
    date, time = _sms_date_time(appointment)
    notification_send(
        template="appointment_confirmed",
        to=phone,
        params={
            "name": name,
            "item": item.name,
            "date": date,
            "time": time,
            "place": appointment.place(),
            "code": appointment.code,
            "link": confirmation_link(appointment),
        },
        related=appointment,
        center=center,
        now=now,
    )
    return appointment
