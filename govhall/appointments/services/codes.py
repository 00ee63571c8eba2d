"""SMS verification codes for online bookings: request, verify, consume."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from govhall.appointments.models import (
    VerificationCode,
)
from govhall.appointments.services._common import _now
from govhall.core.errors import DomainError, InvalidInput
from govhall.core.validators import validate_mobile
from govhall.notifications.services import notification_send

CODE_MINUTES = 10
CODE_RESEND_SECONDS = 60
CODE_MAX_PER_HOUR = 5
CODE_MAX_ATTEMPTS = 5


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
    """Check a code without consuming it (callers use `verification_code_use`, which burns
    it). Failed attempts are counted in their own transaction; after CODE_MAX_ATTEMPTS the
    code is dead."""
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


def verification_code_use(
    *, phone: str, code: str, now: dt.datetime | None = None
) -> VerificationCode:
    """Check a code and burn it at once, in its own transaction: whatever the booking or
    cancellation it is used for then does (succeeds, is refused, rolls back), the code is
    spent, so one code cannot probe several ID numbers or booking codes."""
    now = _now(now)
    # Not one atomic block around both: a wrong code's counted attempt must stay counted.
    record = verification_code_verify(phone=phone, code=code, now=now)
    with transaction.atomic():
        used = VerificationCode.objects.filter(pk=record.pk, used_at__isnull=True).update(
            used_at=now
        )
    if used != 1:
        raise InvalidInput("验证码已使用，请重新获取。", field="verification_code")
    record.used_at = now
    return record
