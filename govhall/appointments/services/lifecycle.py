"""After booking: cancellation by the center, rescheduling by the center, and check-in into
the queue (the applicant's own online cancellation is in `applicant`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from govhall.appointments import selectors
from govhall.appointments.models import (
    Appointment,
    Slot,
    Status,
    normalise_code,
)
from govhall.appointments.services._common import (
    _event,
    _local,
    _now,
    _sms_date_time,
    _transition,
)
from govhall.appointments.services.booking import (
    _check_person_limits,
    _free_place,
    _lock_person,
    _reminders_due,
    _take_place,
    _unique_code,
)
from govhall.core.errors import DomainError, InvalidInput, InvalidTransition, NotFound
from govhall.core.validators import validate_mobile
from govhall.notifications.services import notification_send
from govhall.org.selectors import scope_for
from govhall.queueing.selectors import ticket_status_url
from govhall.queueing.services import ticket_issue


def _release_and_notify_cancelled(
    appointment: Appointment, *, reason: str, now: dt.datetime
) -> None:
    _free_place(appointment.slot_id)
    notification_send(
        template="appointment_cancelled",
        to=appointment.phone,
        params={
            "name": appointment.name,
            "item": appointment.item.name,
            "reason": reason,
            "code": appointment.code,
        },
        related=appointment,
        center=appointment.center,
        now=now,
    )


def _require_center_staff(appointment: Appointment, actor: Any) -> None:
    """Changes by the center are for its own staff; to anyone else the booking does not
    exist (the same answer as for a wrong code)."""
    if not selectors.can_manage(scope_for(actor), appointment.center_id):
        raise NotFound("未找到该预约。")


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
    _require_center_staff(appointment, actor)
    reason = _require_reason(reason)
    result = _transition(
        appointment,
        Status.CANCELLED,
        action="cancelled_by_center",
        reason=reason,
        actor=actor,
        now=now,
    )
    _release_and_notify_cancelled(result, reason=reason, now=now)
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
    _require_center_staff(appointment, actor)
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
    _check_person_limits(
        rule=rule, slot=new_slot, id_number=old.id_number, phone=old.phone, exclude=old
    )
    _take_place(new_slot)
    _free_place(old.slot_id)
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
        **_reminders_due(rule, new_slot, now),
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


# --- check-in ------------------------------------------------------------------------------


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
    # Check-in closes when the slot ends (plus the rule's grace): 6.3.5 gives the booking
    # up only then, and only then does it count as a no-show.
    if status == Status.NO_SHOW or appointment.is_no_show_at(now):
        closes = _local(appointment.checkin_closes_at())
        raise InvalidTransition(
            f"签到已于 {closes:%H:%M} 截止：超过预约时段未到，视为主动放弃预约（6.3.5），"
            "请现场取号或重新预约。",
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


@transaction.atomic
def appointment_check_in(
    *,
    center: Any,
    code: str | None = None,
    id_number: str | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """6.3.5: “服务对象超过预约时段而未到场的，视为主动放弃预约服务。” Check-in is open from
    `checkin_before_minutes` before the slot until the slot ends (plus the rule's grace);
    a check-in gives a priority ticket in the queue."""
    now = _now(now)
    appointment = _find_for_checkin(center=center, code=code, id_number=id_number, now=now)
    _check_in_allowed(appointment, now)
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
    result.ticket_id = str(ticket.pk)
    result.ticket_number = ticket.number
    result.ticket_url = ticket_status_url(ticket)[:300]
    result.save(update_fields=["ticket_id", "ticket_number", "ticket_url"])
    return result


def _mobile_or_none(phone: str) -> str | None:
    # The queue texts "your turn is near" to mobiles only; a landline is not passed on.
    try:
        return validate_mobile(phone) if phone else None
    except ValidationError:
        return None


def checked_in_code(center: Any, code: str) -> bool:
    """Whether `code` is a booking of this center just checked in and without a ticket yet:
    the queue asks this (registered in apps.py) before it ranks a ticket as an
    appointment's."""
    return Appointment.objects.filter(
        center=center, code=code, status=Status.CHECKED_IN, ticket_id=""
    ).exists()
