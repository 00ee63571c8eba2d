"""Checks shared by the special-group and emergency services: who may act at a center,
numbering, text and phone input."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from govhall.core.errors import InvalidInput, NotFound
from govhall.core.validators import validate_mobile
from govhall.org.models import Center, Role
from govhall.org.selectors import scope_for

# Staff who serve people in the hall and may take these records: every front-line role
# and the center's managers (6.7.3, 6.7.5 concern the whole hall, not one desk).
HALL_ROLES = frozenset(
    {
        Role.PROXY,
        Role.GUIDE,
        Role.CLERK,
        Role.CONSULTANT,
        Role.OUTPUT_CLERK,
        Role.MANAGER,
    }
)


def require_hall_staff(actor: Any, center_id: int, what: str = "该中心") -> None:
    """Hall staff of this center (or one above it); anyone else: not found."""
    if not scope_for(actor).has_any_role(HALL_ROLES, center_id):
        raise NotFound(f"未找到{what}。")


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def new_number(prefix: str, now: dt.datetime) -> str:
    return f"{prefix}{local_day(now):%Y%m%d}-{secrets.token_hex(3).upper()}"


def clean_text(value: Any, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字。", field=field)
    return value


def clean_mobile(value: str, field: str = "phone", *, required: bool = True) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput("请填写联系电话。", field=field)
        return ""
    try:
        return validate_mobile(value)
    except ValidationError as exc:
        raise InvalidInput("手机号码格式不正确。", field=field) from exc


def choice(value: str, choices: Any, field: str, label: str) -> str:
    if value not in choices.values:
        raise InvalidInput(f"请选择{label}。", field=field)
    return value


def center_of(center: Center | None) -> Center:
    if center is None or not center.is_active:
        raise InvalidInput("未找到该中心。", field="center")
    return center
