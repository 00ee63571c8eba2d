"""Helpers of the evaluation services: the clock, settings, input checks, due dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from govhall.core import workdays, workflow
from govhall.core.errors import InvalidInput, NotFound
from govhall.core.validators import validate_mobile
from govhall.evaluations.models import EvaluationSettings
from govhall.org.selectors import scope_for

now_or = workflow.resolve_now
MAX_COMMENT = 1000
MAX_NAME = 50


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def settings_for(center_id: int) -> EvaluationSettings:
    """The center's row, else the defaults (5 working days per step, links 15 days)."""
    row = EvaluationSettings.objects.filter(center_id=center_id).first()
    return row or EvaluationSettings(center_id=center_id)


def step_due(center_id: int, now: dt.datetime) -> workdays.WorkdayResult:
    """The close of the N-th working day after today (N: the center's step limit)."""
    return workdays.add_workdays_info(local_day(now), settings_for(center_id).step_days)


def check_level(value: Any, field: str, *, required: bool = True) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        raise InvalidInput("评价等级应为 1 到 5（非常不满意到非常满意）。", field=field)
    return level


def check_text(value: str | None, field: str, label: str, *, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字。", field=field)
    return text


def check_contact(real_name: bool, name: str | None, phone: str | None) -> tuple[str, str]:
    """Real-name: a valid mobile number (name optional). Anonymous: nothing is kept."""
    if not real_name:
        return "", ""
    name = check_text(name, "name", "姓名", limit=MAX_NAME, required=False)
    try:
        mobile = validate_mobile(phone or "")
    except ValidationError as exc:
        raise InvalidInput("实名评价请填写11位手机号码，以便回访。", field="phone") from exc
    return name, mobile


def require_staff_of(actor: Any, center_id: int, department_id: int | None = None) -> None:
    """Staff act only on their own center's (approvers: department's) records: else 404."""
    if not scope_for(actor).sees(center_id, department_id):
        raise NotFound("未找到该记录。")
