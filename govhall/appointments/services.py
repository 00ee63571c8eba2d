"""Every state change of appointments: one function per transition, each atomic, each with
an event row, an audit entry and its outbox messages in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.urls import NoReverseMatch
from django.utils import timezone

from govhall.appointments import selectors
from govhall.appointments.models import (
    Appointment,
    AppointmentEvent,
    BookingRule,
    Channel,
    Slot,
    Status,
    VerificationCode,
    new_code,
    normalise_code,
    reminder_times,
)
from govhall.core import workdays
from govhall.core.audit import log_action
from govhall.core.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition
from govhall.core.validators import validate_id_document, validate_mobile
from govhall.notifications.services import notification_send

CODE_MINUTES = 10
CODE_RESEND_SECONDS = 60
CODE_MAX_PER_HOUR = 5
CODE_MAX_ATTEMPTS = 5
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,5})?")


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"


def online_code_required() -> bool:
    return bool(getattr(settings, "APPOINTMENT_ONLINE_REQUIRE_CODE", True))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


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
    *, rule: BookingRule, slot: Slot, id_number: str, exclude: Appointment | None = None
) -> None:
    active = Appointment.objects.filter(id_number=id_number, status__in=Appointment.ACTIVE)
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    clash = active.filter(slot_start__lt=slot.end, slot_end__gt=slot.start).first()
    if clash is not None:
        raise Conflict(
            f"您在该时段已有预约（预约码 {clash.code}，{clash.item.name}），"
            "同一人不能同时持有时间重叠的预约。",
            code="overlapping_booking",
            field="slot_id",
        )
    day = slot.date
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    same_day = active.filter(
        center_id=slot.center_id,
        slot_start__gte=day_start,
        slot_start__lt=day_start + dt.timedelta(days=1),
    ).count()
    if same_day >= rule.max_per_day:
        raise Conflict(
            f"同一证件每天最多预约 {rule.max_per_day} 次，{day:%Y年%m月%d日}已达上限。",
            code="booking_limit_day",
            field="id_number",
        )
    # A calendar week (Monday to Sunday), not a legal period.
    week_start = day_start - dt.timedelta(days=day.weekday())
    same_week = active.filter(
        center_id=slot.center_id,
        slot_start__gte=week_start,
        slot_start__lt=week_start + dt.timedelta(days=7),
    ).count()
    if same_week >= rule.max_per_week:
        raise Conflict(
            f"同一证件每周最多预约 {rule.max_per_week} 次，该周已达上限。",
            code="booking_limit_week",
            field="id_number",
        )


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


def _unique_code() -> str:
    for _ in range(10):
        code = new_code()
        if not Appointment.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not allocate an appointment code")


def _event(
    appointment: Appointment,
    *,
    action: str,
    from_status: str,
    reason: str = "",
    actor: Any,
    now: dt.datetime,
) -> None:
    AppointmentEvent.objects.create(
        appointment=appointment,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=appointment.status,
        reason=reason[:300],
    )
    log_action(
        actor=actor,
        action=f"govhall.appointments.appointment.{action}",
        obj=appointment,
        data={
            "code": appointment.code,
            "from": from_status,
            "to": appointment.status,
            "reason": reason,
        },
        now=now,
    )


def confirmation_link(appointment: Appointment) -> str:
    return f"{settings.SITE_URL}/booking/c/{appointment.code}/"


def _sms_date_time(appointment: Appointment) -> tuple[str, str]:
    start = _local(appointment.slot_start)
    end = _local(appointment.slot_end)
    return f"{start:%Y年%m月%d日}", f"{start:%H:%M}-{end:%H:%M}"


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


def _materials_text(appointment: Appointment) -> list[dict[str, Any]]:
    return selectors.materials_of(appointment.guide)


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
    block = selectors.booking_block(id_number=id_number, now=now)
    warning = ""
    if block is not None:
        if channel == Channel.ONLINE:
            raise Forbidden(block.message(), code="booking_blocked", field="id_number")
        warning = block.message(staff=True)
    if verification is not None:
        _consume_code(verification, phone, now)
    elif channel == Channel.ONLINE and online_code_required():
        raise InvalidInput("请先获取并填写短信验证码。", field="verification_code")
    _lock_person(id_number)
    _check_person_limits(rule=rule, slot=slot, id_number=id_number)
    _take_place(slot)
    slot.refresh_from_db(fields=["booked"])
    reminder_at, morning_at = reminder_times(rule, slot.start)
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
        # Booked after the reminder time: the confirmation is reminder enough.
        reminder_due_at=reminder_at if reminder_at > now else None,
        morning_reminder_due_at=morning_at if morning_at and morning_at > now else None,
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


def _transition(
    appointment: Appointment, target: str, *, action: str, reason: str, actor: Any, now: dt.datetime
) -> Appointment:
    """The one place status changes: checks the table and claims the row conditionally."""
    locked = Appointment.objects.select_for_update().select_related("rule").get(pk=appointment.pk)
    if not locked.can_become(target):
        raise InvalidTransition(
            f"预约当前状态为“{locked.get_status_display()}”，不能{_ACTION_LABELS[action]}。"
        )
    source = locked.status
    locked.status = target
    locked.status_changed_at = now
    locked.status_reason = reason[:300]
    fields = ["status", "status_changed_at", "status_reason"]
    if target == Status.CHECKED_IN:
        locked.checked_in_at = now
        fields.append("checked_in_at")
    locked.save(update_fields=fields)
    _event(locked, action=action, from_status=source, reason=reason, actor=actor, now=now)
    return locked


_ACTION_LABELS = {
    "cancelled": "取消",
    "cancelled_by_center": "由中心取消",
    "rescheduled": "改约",
    "checked_in": "签到",
    "no_show": "标记为未到",
}


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, phone: str, actor: Any = None, now: dt.datetime | None = None
) -> Appointment:
    """The applicant cancels with code plus the phone number given when booking."""
    now = _now(now)
    given = re.sub(r"\s|-", "", phone or "")
    stored = re.sub(r"\s|-", "", appointment.phone or "")
    if not given or not stored or not hmac.compare_digest(given, stored):
        raise Forbidden("预约码与手机号不匹配。", code="phone_mismatch", field="phone")
    if appointment.status == Status.BOOKED and now > appointment.cancel_deadline():
        deadline = _local(appointment.cancel_deadline())
        raise DomainError(
            f"已超过取消截止时间（{deadline:%m月%d日 %H:%M}），如不能到场可不再前往，"
            "或致电中心说明。",
            code="cancel_cutoff",
        )
    result = _transition(
        appointment, Status.CANCELLED, action="cancelled", reason="本人取消", actor=actor, now=now
    )
    _free_place(result.slot_id)
    notification_send(
        template="appointment_cancelled",
        to=result.phone,
        params={
            "name": result.name,
            "item": result.item.name,
            "reason": "您已自行取消预约",
            "code": result.code,
        },
        related=result,
        center=result.center,
        now=now,
    )
    return result


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写原因，原因将通过短信告知预约人（6.3.3）。", field="reason")
    if len(reason) > 200:
        raise InvalidInput("原因不超过200字。", field="reason")
    return reason


@transaction.atomic
def appointment_cancel_by_center(
    *, appointment: Appointment, reason: str, actor: Any, now: dt.datetime | None = None
) -> Appointment:
    """The center cannot serve the booking (window closed, outage): cancel with a reason."""
    now = _now(now)
    reason = _require_reason(reason)
    result = _transition(
        appointment,
        Status.CANCELLED,
        action="cancelled_by_center",
        reason=reason,
        actor=actor,
        now=now,
    )
    _free_place(result.slot_id)
    notification_send(
        template="appointment_cancelled",
        to=result.phone,
        params={
            "name": result.name,
            "item": result.item.name,
            "reason": reason,
            "code": result.code,
        },
        related=result,
        center=result.center,
        now=now,
    )
    return result


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    reason: str,
    new_slot: Slot,
    actor: Any,
    now: dt.datetime | None = None,
) -> Appointment:
    """The center moves a booking to another slot: the old booking becomes `rescheduled`,
    a new booking (new code) holds the new slot; the person is told the reason by SMS."""
    now = _now(now)
    reason = _require_reason(reason)
    rule = appointment.rule
    if new_slot.rule_id != rule.pk:
        raise InvalidInput("新时段不属于该事项的预约规则。", field="slot_id")
    if new_slot.pk == appointment.slot_id:
        raise InvalidInput("新时段与原时段相同。", field="slot_id")
    if new_slot.start <= now or new_slot.is_closed:
        raise InvalidInput("新时段已开始或已停约，请另选。", field="slot_id")
    if new_slot.date in selectors.closed_dates(
        rule=rule, date_from=new_slot.date, date_to=new_slot.date
    ):
        raise InvalidInput("新时段所在日期暂停预约，请另选。", field="slot_id")
    old = _transition(
        appointment, Status.RESCHEDULED, action="rescheduled", reason=reason, actor=actor, now=now
    )
    _lock_person(old.id_number)
    _check_person_limits(rule=rule, slot=new_slot, id_number=old.id_number, exclude=old)
    _take_place(new_slot)
    _free_place(old.slot_id)
    reminder_at, morning_at = reminder_times(rule, new_slot.start)
    new = Appointment.objects.create(
        code=_unique_code(),
        center=old.center,
        item=old.item,
        guide=selectors.bookable_guide(old.item) or old.guide,
        rule=rule,
        slot=new_slot,
        slot_start=new_slot.start,
        slot_end=new_slot.end,
        name=old.name,
        phone=old.phone,
        id_number=old.id_number,
        channel=old.channel,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        status_changed_at=now,
        status_reason=reason,
        rescheduled_from=old,
        reminder_due_at=reminder_at if reminder_at > now else None,
        morning_reminder_due_at=morning_at if morning_at and morning_at > now else None,
    )
    _event(
        new,
        action="booked",
        from_status="",
        reason=f"改约自 {old.code}：{reason}",
        actor=actor,
        now=now,
    )
    date, time = _sms_date_time(new)
    notification_send(
        template="appointment_rescheduled",
        to=new.phone,
        params={
            "name": new.name,
            "item": new.item.name,
            "reason": reason,
            "new_date": date,
            "new_time": time,
            "code": new.code,
        },
        related=new,
        center=new.center,
        now=now,
    )
    return new


# --- check-in and no-shows ---------------------------------------------------------------


def _find_for_checkin(
    *, center: Any, code: str | None, id_number: str | None, now: dt.datetime
) -> Appointment:
    if code:
        found = (
            Appointment.objects.select_related("rule", "item", "center")
            .filter(code=normalise_code(code), center=center)
            .first()
        )
        if found is None:
            raise InvalidInput("未找到该预约码，请核对后重新输入。", field="code")
        return found
    number = (id_number or "").strip().upper()
    if not number:
        raise InvalidInput("请输入预约码或身份证号。", field="code")
    today = _local(now).date()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    candidates = list(
        Appointment.objects.select_related("rule", "item", "center")
        .filter(
            id_number=number,
            center=center,
            slot_start__gte=start,
            slot_start__lt=start + dt.timedelta(days=1),
        )
        .order_by("slot_start")
    )
    if not candidates:
        raise InvalidInput("未找到您今天在本中心的预约。", field="id_number")
    booked = [a for a in candidates if a.status == Status.BOOKED]
    for appointment in booked:
        if appointment.checkin_opens_at() <= now <= appointment.checkin_closes_at():
            return appointment
    return (booked or candidates)[0]


def _check_in_allowed(appointment: Appointment, now: dt.datetime) -> None:
    status = appointment.status
    if status == Status.RESCHEDULED:
        successor = getattr(appointment, "rescheduled_to", None)
        extra = f"新预约码 {successor.code}，时间 {successor.slot.label()}。" if successor else ""
        raise InvalidTransition(f"该预约已由中心改约。{extra}")
    if status == Status.CANCELLED:
        raise InvalidTransition("该预约已取消，请重新预约或现场取号。")
    if status == Status.CHECKED_IN:
        raise InvalidTransition(f"该预约已签到，排队号 {appointment.ticket_number}，请留意叫号。")
    if status == Status.NO_SHOW or appointment.is_no_show_at(now):
        raise InvalidTransition(
            "已超过预约时段未到，视为主动放弃预约（6.3.5），请现场取号或重新预约。",
            code="no_show",
        )
    opens = appointment.checkin_opens_at()
    if now < opens:
        local = _local(opens)
        day = "" if local.date() == _local(now).date() else f"{local:%m月%d日}"
        raise DomainError(
            f"签到时间未到，请于{day} {local:%H:%M} 以后签到。".replace("于 ", "于"),
            code="checkin_too_early",
        )
    closes = appointment.checkin_closes_at()
    if now > closes:
        raise DomainError(
            f"签到已于 {_local(closes):%H:%M} 截止，请到咨询台联系工作人员。",
            code="checkin_too_late",
        )


@transaction.atomic
def appointment_check_in(
    *,
    center: Any,
    code: str | None = None,
    id_number: str | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Check in within the window around the slot start → a priority ticket in the queue."""
    now = _now(now)
    appointment = _find_for_checkin(center=center, code=code, id_number=id_number, now=now)
    _check_in_allowed(appointment, now)
    try:
        from govhall.queueing.services import ticket_issue
    except ImportError as exc:
        raise ServiceUnavailable(
            "排队取号服务暂未启用，请到咨询台由工作人员协助取号。", code="queue_unavailable"
        ) from exc
    result = _transition(
        appointment, Status.CHECKED_IN, action="checked_in", reason="", actor=actor, now=now
    )
    ticket = ticket_issue(
        center=result.center,
        item=result.item,
        phone=_mobile_or_none(result.phone),
        appointment_code=result.code,
        channel="appointment",
        actor=actor,
        now=now,
    )
    result.ticket_id = str(getattr(ticket, "id", "") or "")
    result.ticket_number = str(getattr(ticket, "number", "") or "")
    result.ticket_url = _ticket_url(ticket)
    result.save(update_fields=["ticket_id", "ticket_number", "ticket_url"])
    return result


def _mobile_or_none(phone: str) -> str | None:
    # The queue texts "your turn is near" to mobiles only; a landline is not passed on.
    try:
        return validate_mobile(phone) if phone else None
    except ValidationError:
        return None


def _ticket_url(ticket: Any) -> str:
    """The ticket's public status link, however the queue app exposes it."""
    for attr in ("status_url", "public_url", "get_status_url", "get_absolute_url"):
        value = getattr(ticket, attr, None)
        if callable(value):
            value = value()
        if value:
            return str(value)[:300]
    try:
        from govhall.queueing.api import status_url

        return str(status_url(ticket))[:300]
    except (ImportError, AttributeError, NoReverseMatch):
        pass  # the queue's page helper is optional; fall back to the API path
    token = getattr(ticket, "public_token", None) or getattr(ticket, "token", None)
    if token:
        return f"{settings.SITE_URL}/api/v1/tickets/{ticket.id}?t={token}"
    return ""


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, actor: Any = None, now: dt.datetime | None = None
) -> bool:
    """Mark one booking a no-show once its slot and grace period are over (6.3.5).

    Returns False (and changes nothing) when it is too early or another worker was first.
    """
    now = _now(now)
    if now <= appointment.no_show_after():
        return False
    claimed = Appointment.objects.filter(pk=appointment.pk, status=Status.BOOKED).update(
        status=Status.NO_SHOW, status_changed_at=now, status_reason="超过预约时段未到"
    )
    if claimed != 1:
        return False
    appointment.refresh_from_db()
    _event(
        appointment,
        action="no_show",
        from_status=Status.BOOKED,
        reason="超过预约时段未到，视为主动放弃",
        actor=actor,
        now=now,
    )
    return True


# --- reminders -------------------------------------------------------------------------------


def _reminder_params(appointment: Appointment) -> dict[str, str]:
    date, time = _sms_date_time(appointment)
    return {
        "name": appointment.name,
        "item": appointment.item.name,
        "date": date,
        "time": time,
        "place": appointment.place(),
        "code": appointment.code,
    }


@transaction.atomic
def appointment_remind(
    *, appointment: Appointment, which: str = "day_before", now: dt.datetime | None = None
) -> bool:
    """Queue one reminder (6.3.4), claimed with a conditional update so that two workers
    never both queue it. A booking without a mobile number becomes a phone-call task in
    the notifications app (it decides by the `to` number)."""
    now = _now(now)
    sent_field = "reminder_sent_at" if which == "day_before" else "morning_reminder_sent_at"
    claimed = Appointment.objects.filter(
        pk=appointment.pk, status=Status.BOOKED, **{f"{sent_field}__isnull": True}
    ).update(**{sent_field: now})
    if claimed != 1:
        return False
    notification_send(
        template="appointment_reminder",
        to=appointment.phone,
        params=_reminder_params(appointment),
        related=appointment,
        center=appointment.center,
        now=now,
    )
    log_action(
        actor=None,
        action="govhall.appointments.appointment.reminded",
        obj=appointment,
        data={"code": appointment.code, "which": which},
        now=now,
    )
    return True


# --- verification codes ----------------------------------------------------------------------


def _code_hash(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def verification_code_request(*, phone: str, now: dt.datetime | None = None) -> VerificationCode:
    """Send a 6-digit code by SMS (urgent: the person is waiting for it). Rate-limited per
    phone: one a minute, CODE_MAX_PER_HOUR an hour."""
    now = _now(now)
    try:
        phone = validate_mobile(phone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="phone") from exc
    recent = VerificationCode.objects.filter(
        phone=phone, created_at__gt=now - dt.timedelta(hours=1)
    )
    last = recent.order_by("-created_at").first()
    if last is not None and (now - last.created_at).total_seconds() < CODE_RESEND_SECONDS:
        wait = CODE_RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise DomainError(f"验证码已发送，请 {wait} 秒后再试。", code="rate_limited", field="phone")
    if recent.count() >= CODE_MAX_PER_HOUR:
        raise DomainError(
            "该手机号获取验证码过于频繁，请一小时后再试。", code="rate_limited", field="phone"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    record = VerificationCode.objects.create(
        phone=phone,
        code_hash=_code_hash(phone, code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    notification_send(
        template="verification_code",
        to=phone,
        params={"code": code, "minutes": CODE_MINUTES},
        urgent=True,
        now=now,
    )
    return record


def verification_code_verify(
    *, phone: str, code: str, now: dt.datetime | None = None
) -> VerificationCode:
    """Check a code without consuming it (the booking consumes it when it succeeds, so a
    full slot does not cost the person their code). Failed attempts are counted in their
    own transaction; after CODE_MAX_ATTEMPTS the code is dead."""
    now = _now(now)
    try:
        phone = validate_mobile(phone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="phone") from exc
    record = (
        VerificationCode.objects.filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if record is None or record.attempts >= CODE_MAX_ATTEMPTS:
        raise InvalidInput("验证码无效或已过期，请重新获取。", field="verification_code")
    if not hmac.compare_digest(record.code_hash, _code_hash(phone, (code or "").strip())):
        with transaction.atomic():
            VerificationCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        raise InvalidInput("验证码不正确。", field="verification_code")
    return record


def _consume_code(verification: VerificationCode, phone: str, now: dt.datetime) -> None:
    if verification.phone != phone:
        raise InvalidInput("验证码与手机号不匹配。", field="verification_code")
    used = VerificationCode.objects.filter(pk=verification.pk, used_at__isnull=True).update(
        used_at=now
    )
    if used != 1:
        raise InvalidInput("验证码已使用，请重新获取。", field="verification_code")
