"""Settling a message whose outcome is unknown (status `checking`).

Aliyun's SendSms documentation: after a timeout "建议查看回执状态后再判断是否重试", and SendSms
has no idempotence. So after the provider's receipt delay (SMS_CHECK_DELAY_SECONDS) the
backend's `lookup` asks the provider for that phone's records (Aliyun QuerySendDetails by
PhoneNumber + SendDate matching OutId; Tencent PullSmsSendStatusByPhoneNumber matching
SessionContext):

- found → `sent`, with the provider's id and delivery status; two records for one message
  id are counted in `duplicates`;
- not found yet → asked again every SMS_CHECK_DELAY_SECONDS until SMS_CHECK_WINDOW_SECONDS
  have passed since the unknown outcome; then resent once more (SMS_UNKNOWN_RESENDS, 1); a
  second unknown that is never found fails and becomes a phone-call task;
- the query itself fails → asked again later; after SMS_MAX_ATTEMPTS failed queries the
  message fails (phone call).

A delivery receipt arriving through the callback settles a `checking` message too
(services.receipt_record).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import F

from govhall.notifications.backends import SendError
from govhall.notifications.models import OutboxMessage

Status = OutboxMessage.Status


def check_delay() -> int:
    return int(getattr(settings, "SMS_CHECK_DELAY_SECONDS", 30))


def check_window() -> int:
    return int(getattr(settings, "SMS_CHECK_WINDOW_SECONDS", 600))


def unknown_resends() -> int:
    return int(getattr(settings, "SMS_UNKNOWN_RESENDS", 1))


def reconcile(
    message: OutboxMessage,
    token: uuid.UUID,
    *,
    backend: Any,
    now: dt.datetime,
    result: Any,
    finish: Callable[..., bool],
    give_up: Callable[..., None],
) -> None:
    """Ask the provider about one claimed `checking` message and record the answer."""
    result.queries += 1
    try:
        records = backend.lookup(message, now=now)
    except SendError as exc:
        error = f"第{message.checks + 1}次核实（{backend.name}）查询失败：{exc}"[:1000]
        result.errors.append(error)
        if message.checks + 1 >= int(getattr(settings, "SMS_MAX_ATTEMPTS", 8)):
            give_up(
                message,
                token,
                f"无法向通道核实是否已发送：{exc}"[:1000],
                backend,
                now,
                result,
                checks=F("checks") + 1,
            )
            return
        finish(
            message,
            token,
            status=Status.CHECKING,
            checks=F("checks") + 1,
            last_error=error,
            due_at=now + dt.timedelta(seconds=check_delay()),
        )
        result.checking += 1
        return
    if records:
        ids = [r.provider_message_id for r in records if r.provider_message_id]
        first = records[0]
        changes: dict[str, Any] = {
            "status": Status.SENT,
            "provider": backend.name,
            "provider_message_id": ids[0] if ids else message.provider_message_id,
            "provider_ids": ids,
            "duplicates": len(records) - 1,
            "sent_at": message.check_since or now,
            "check_since": None,
            "checks": F("checks") + 1,
            "hold_reason": "",
            "last_error": "",
        }
        if first.delivered is not None:
            changes["delivery_status"] = (
                OutboxMessage.Delivery.DELIVERED
                if first.delivered
                else OutboxMessage.Delivery.UNDELIVERED
            )
            changes["delivered_at"] = now
            changes["delivery_report"] = first.report
        if finish(message, token, **changes):
            result.sent += 1
            result.found += 1
        return
    waited = (now - message.check_since).total_seconds() if message.check_since else 0
    if waited < check_window():
        finish(
            message,
            token,
            status=Status.CHECKING,
            checks=F("checks") + 1,
            due_at=now + dt.timedelta(seconds=check_delay()),
        )
        result.checking += 1
        return
    if message.unknown_resends < unknown_resends():
        # Not on record after the window: the lost request never reached the provider.
        finish(
            message,
            token,
            status=Status.PENDING,
            due_at=now,
            check_since=None,
            checks=F("checks") + 1,
            unknown_resends=F("unknown_resends") + 1,
            last_error=f"核实期内通道无此短信记录（{check_window()} 秒），重发一次",
        )
        result.resent_unknown += 1
        return
    give_up(
        message,
        token,
        "重发后结果仍不明，且通道查无记录：改为电话通知",
        backend,
        now,
        result,
        checks=F("checks") + 1,
    )
