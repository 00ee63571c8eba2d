"""The applicant's own online cancellation: booking code plus an SMS code sent to the
booked phone, with failed attempts limited per booking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F

from govhall.appointments.models import Appointment, Status, VerificationCode
from govhall.appointments.services._common import _local, _now, _transition
from govhall.appointments.services.codes import verification_code_request, verification_code_use
from govhall.appointments.services.lifecycle import _mobile_or_none, _release_and_notify_cancelled
from govhall.core.errors import DomainError, Forbidden, InvalidInput

# Failed online cancel attempts allowed per booking code; then only the center can cancel.
CANCEL_MAX_FAILURES = 5


def _cancel_locked(appointment: Appointment) -> None:
    # Read from the database: the caller's copy may predate other attempts.
    failures = Appointment.objects.filter(
        pk=appointment.pk, cancel_failures__gte=CANCEL_MAX_FAILURES
    )
    if failures.exists():
        raise Forbidden(
            "该预约网上取消验证失败次数过多，已停止网上取消，请致电中心或到现场办理。",
            code="cancel_locked",
            field="code",
        )


def _booked_mobile(appointment: Appointment) -> str:
    mobile = _mobile_or_none(appointment.phone)
    if mobile is None:
        raise Forbidden(
            "该预约未登记手机号，不能网上取消，请致电中心办理。", code="no_mobile", field="code"
        )
    return mobile


def appointment_cancel_code_request(
    *, appointment: Appointment, now: dt.datetime | None = None
) -> VerificationCode:
    """Send an SMS code to the phone the booking was made with: only its holder may cancel
    online (the booking code alone is printed, forwarded, photographed)."""
    now = _now(now)
    _cancel_locked(appointment)
    return verification_code_request(phone=_booked_mobile(appointment), now=now)


def appointment_cancel(
    *,
    appointment: Appointment,
    verification_code: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """The applicant cancels online with the booking code and an SMS code sent to the
    booked phone. The SMS code is burned whatever happens; a wrong one counts against the
    booking, and after CANCEL_MAX_FAILURES only the center can cancel it."""
    now = _now(now)
    _cancel_locked(appointment)
    try:
        verification_code_use(phone=_booked_mobile(appointment), code=verification_code, now=now)
    except InvalidInput:
        # Its own transaction: the failure stays counted although the caller sees an error.
        with transaction.atomic():
            Appointment.objects.filter(pk=appointment.pk).update(
                cancel_failures=F("cancel_failures") + 1
            )
        raise
    with transaction.atomic():
        if appointment.status == Status.BOOKED and now > appointment.cancel_deadline():
            deadline = _local(appointment.cancel_deadline())
            raise DomainError(
                f"已超过取消截止时间（{deadline:%m月%d日 %H:%M}），如不能到场可不再前往，"
                "或致电中心说明。",
                code="cancel_cutoff",
            )
        result = _transition(
            appointment,
            Status.CANCELLED,
            action="cancelled",
            reason="本人取消",
            actor=actor,
            now=now,
        )
        _release_and_notify_cancelled(result, reason="您已自行取消预约", now=now)
    return result
