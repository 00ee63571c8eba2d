"""Delivery receipts from the SMS providers (status callbacks)."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from govhall.core.errors import Forbidden, InvalidInput, NotFound
from govhall.notifications.services import receipt_record

router = Router(tags=["消息通知"])

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _check_token(request: HttpRequest) -> None:
    expected = getattr(settings, "SMS_RECEIPT_TOKEN", "")
    # Only in a header: a query string lands in access logs.
    given = request.headers.get("X-Receipt-Token", "")
    # No token configured means receipts are switched off: nobody may write them.
    if not expected or not hmac.compare_digest(str(given).encode(), str(expected).encode()):
        raise Forbidden("回执令牌无效。", code="bad_receipt_token")


def _local(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=SHANGHAI)


def _aliyun(item: dict[str, Any]) -> bool:
    # SmsReport: {phone_number, send_time, report_time, success, err_code, err_msg,
    #             sms_size, biz_id, out_id}
    return receipt_record(
        provider="aliyun",
        message_id=str(item.get("out_id") or ""),
        provider_message_id=str(item.get("biz_id") or ""),
        delivered=bool(item.get("success")),
        report=item,
        at=_local(item.get("report_time")) or timezone.now(),
    )


def _tencent(item: dict[str, Any]) -> bool:
    # Status report: {user_receive_time, nationcode, mobile, report_status, errmsg,
    #                 description, sid}
    return receipt_record(
        provider="tencent",
        provider_message_id=str(item.get("sid") or ""),
        delivered=str(item.get("report_status", "")).upper() == "SUCCESS",
        report=item,
        at=_local(item.get("user_receive_time")) or timezone.now(),
    )


HANDLERS = {"aliyun": _aliyun, "tencent": _tencent}
REPLIES = {"aliyun": {"code": 0, "msg": "成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


@router.post("/notifications/receipts/{provider}", auth=None, summary="短信送达回执")
def receipts(request: HttpRequest, provider: str):
    handler = HANDLERS.get(provider)
    if handler is None:
        raise NotFound("未知的短信通道。")
    _check_token(request)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("回执内容不是合法的 JSON。", field="body") from None
    items = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(i, dict) for i in items):
        raise InvalidInput("回执应为对象或对象列表。", field="body")
    matched = sum(1 for item in items if handler(item))
    return {**REPLIES[provider], "matched": matched}
