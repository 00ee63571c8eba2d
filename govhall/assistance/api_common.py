"""Helpers of the assistance API: the caller, the center, the item, signatures in Base64."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import HttpRequest

from govhall.cases import selectors as case_selectors
from govhall.core.errors import InvalidInput, NotFound
from govhall.org.models import Center
from govhall.org.selectors import scope_for


def actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def center_for(request: HttpRequest, code: str) -> Center:
    """The center by code, if the caller works there (another center → 404)."""
    center = Center.objects.filter(is_active=True, code=(code or "").strip()).first()
    if center is None or not scope_for(actor(request)).sees_center(center.pk):
        raise NotFound("未找到该中心。", field="center")
    return center


def item_for(center: Center, code: str, *, required: bool = True) -> Any:
    if not (code or "").strip():
        if required:
            raise InvalidInput("请选择事项。", field="item_code")
        return None
    item = case_selectors.item_for_intake(center, code)
    if item is None:
        raise InvalidInput("未找到该事项或该事项未在本中心发布。", field="item_code")
    return item


def png(value: str | None, field: str) -> bytes | None:
    """A signature from the pad: a data URL or plain Base64 (checked as PNG by the service)."""
    if not value:
        return None
    data = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("签名图片不是有效的 Base64。", field=field) from exc


# Periods a register or statistics may ask for (outside: 422, never a date overflow).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def check_period(date_from: dt.date | None, date_to: dt.date | None) -> None:
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise InvalidInput("日期应在2000年至2099年之间。", field=name)
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("开始日期不能晚于结束日期。", field="date_from")
