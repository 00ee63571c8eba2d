"""No-shows (6.3.5) and reminders (6.3.4), both claimed with conditional updates so that
concurrent workers never act twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from govhall.appointments.models import (
    Appointment,
    Status,
)
from govhall.appointments.services._common import (
    _event,
    _now,
    _sms_date_time,
)
from govhall.core.audit import log_action
from govhall.notifications.services import notification_send


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
