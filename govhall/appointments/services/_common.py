"""Helpers shared by the appointment services: time, the event/audit row, the one status
transition, texts used in several messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from govhall.appointments.models import (
    Appointment,
    Status,
)
from govhall.core import workflow
from govhall.core.errors import DomainError


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"


def online_code_required() -> bool:
    return bool(getattr(settings, "APPOINTMENT_ONLINE_REQUIRE_CODE", True))


_now = workflow.resolve_now


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
    """The event row and the audit entry of a change that is not a move of the table
    (booking, a reminder): govhall.core.workflow writes both."""
    workflow.record(
        appointment,
        action=action,
        from_status=from_status,
        actor=actor,
        now=now,
        reason=reason,
        audit_data={"code": appointment.code},
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
    """The one place status changes: govhall.core.workflow locks the row, checks the table
    and writes the event and the audit entry."""
    changes: dict[str, Any] = {"status_changed_at": now, "status_reason": reason[:300]}
    if target == Status.CHECKED_IN:
        changes["checked_in_at"] = now
    return workflow.transition(
        appointment,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason,
        changes=changes,
        audit_data=lambda locked: {"code": locked.code},
        refused=lambda locked: (
            f"预约当前状态为“{locked.get_status_display()}”，不能{_ACTION_LABELS[action]}。"
        ),
    )


_ACTION_LABELS = {
    "cancelled": "取消",
    "cancelled_by_center": "由中心取消",
    "rescheduled": "改约",
    "checked_in": "签到",
    "no_show": "标记为未到",
}
