"""Center closures (6.3.3): entering one moves every booking on those days through the
center's reschedule path, with the reason told to the person by SMS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.appointments.models import Appointment, BookingRule, CenterClosure, Slot, Status
from govhall.appointments.services._common import _local, _now
from govhall.appointments.services.booking import slots_offer
from govhall.appointments.services.lifecycle import (
    _require_reason,
    appointment_cancel_by_center,
    appointment_reschedule,
)
from govhall.core.audit import log_action
from govhall.core.errors import DomainError, InvalidInput

# How many free slots are tried per booking before the center cancels it instead.
_CANDIDATES = 20


@dataclass
class ClosureResult:
    closure: CenterClosure
    rescheduled: list[Appointment] = field(default_factory=list)  # the new bookings
    cancelled: list[Appointment] = field(default_factory=list)


def _affected(
    *, center: Any, rule: BookingRule | None, start_date: dt.date, end_date: dt.date
) -> list[Appointment]:
    tz = timezone.get_current_timezone()
    qs = Appointment.objects.select_related("rule", "item", "center", "slot").filter(
        center=center,
        status=Status.BOOKED,
        slot_start__gte=dt.datetime.combine(start_date, dt.time.min, tzinfo=tz),
        slot_start__lt=dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    if rule is not None:
        qs = qs.filter(rule=rule)
    return list(qs.order_by("slot_start", "id"))


def _alternatives(appointment: Appointment, now: dt.datetime) -> list[Slot]:
    """Free slots of the same rule within its online range (from the next working day, so
    nobody is moved to a slot starting in minutes): later than the booking first, earliest
    day first and, within a day, nearest to the booked time of day — the same time on the
    next open working day when it is free; earlier days only when nothing later is free."""
    booked = _local(appointment.slot_start)
    minutes = booked.hour * 60 + booked.minute

    def key(slot: Slot) -> tuple[bool, dt.date, int]:
        local = _local(slot.start)
        earlier = slot.start < appointment.slot_start
        return earlier, slot.date, abs(local.hour * 60 + local.minute - minutes)

    free = [s for s in slots_offer(rule=appointment.rule, now=now) if s.remaining > 0]
    return sorted(free, key=key)[:_CANDIDATES]


def _move_or_cancel(
    appointment: Appointment, *, reason: str, actor: Any, now: dt.datetime, result: ClosureResult
) -> None:
    for slot in _alternatives(appointment, now):
        try:
            new = appointment_reschedule(
                appointment=appointment, reason=reason, new_slot=slot, actor=actor, now=now
            )
        except DomainError:
            continue  # full meanwhile, or the person's own limits: try the next slot
        result.rescheduled.append(new)
        return
    result.cancelled.append(
        appointment_cancel_by_center(
            appointment=appointment, reason=f"{reason}（暂无可改约时段）", actor=actor, now=now
        )
    )


@transaction.atomic
def closure_enter(
    *,
    center: Any,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    rule: BookingRule | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> ClosureResult:
    """6.3.3: “如遇特殊情况不能在预约时间内提供服务的，政务服务中心需向服务对象说明理由或另约
    时间办理。” The days stop taking bookings; every booking on them is moved to the nearest
    free slot of its rule through the center reschedule path (SMS with the reason, the new
    time and the new code), or, when there is none, cancelled by the center with the reason
    (SMS). Either way it is no longer `booked`: no reminder for the closed day goes out and
    it never becomes a no-show."""
    now = _now(now)
    reason = _require_reason(reason)
    if end_date < start_date:
        raise InvalidInput("结束日期不能早于开始日期。", field="end_date")
    if rule is not None and rule.center_id != center.pk:
        raise InvalidInput("该预约规则不属于本中心。", field="rule")
    closure = CenterClosure.objects.create(
        center=center, rule=rule, start_date=start_date, end_date=end_date, reason=reason
    )
    result = ClosureResult(closure=closure)
    for appointment in _affected(
        center=center, rule=rule, start_date=start_date, end_date=end_date
    ):
        _move_or_cancel(appointment, reason=reason, actor=actor, now=now, result=result)
    log_action(
        actor=actor,
        action="govhall.appointments.closure.entered",
        obj=closure,
        data={
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
            "rule": rule.pk if rule is not None else None,
            "reason": reason,
            "rescheduled": [a.code for a in result.rescheduled],
            "cancelled": [a.code for a in result.cancelled],
        },
        now=now,
    )
    return result
