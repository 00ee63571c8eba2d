"""Helpers shared by the appointment services: time, the event/audit row, the one status
transition, texts used in several messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from govhall.appointments.models import (
    Appointment,
    AppointmentEvent,
    Status,
)
from govhall.core.audit import log_action
from govhall.core.errors import DomainError, InvalidTransition


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"


def online_code_required() -> bool:
    return bool(getattr(settings, "APPOINTMENT_ONLINE_REQUIRE_CODE", True))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


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
