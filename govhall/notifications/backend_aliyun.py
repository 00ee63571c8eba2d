"""Aliyun SMS (dysmsapi 2017-05-25) through the official SDK `alibabacloud-dysmsapi20170525`.

SendSms (https://help.aliyun.com/document_detail/55284.html): PhoneNumbers, SignName,
TemplateCode, TemplateParam (JSON), OutId (our message id; "外部流水扩展字段", echoed in
receipts and queries, not used to deduplicate — the page says SendSms has no idempotence).
QuerySendDetails (https://help.aliyun.com/document_detail/419277.html): PhoneNumber and
SendDate (yyyyMMdd, last 30 days), PageSize 1–50, CurrentPage; each SmsSendDetailDTO has
OutId, SendStatus (1 等待回执, 2 发送失败, 3 发送成功), ErrCode, SendDate, ReceiveDate.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.conf import settings

from govhall.notifications.backends import (
    OutcomeUnknown,
    PermanentFailure,
    ProviderRecord,
    RetryLater,
    SendError,
    network_error,
    str_params,
    timeout_seconds,
)
from govhall.notifications.models import OutboxMessage, SmsTemplate

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUERY_PAGE_SIZE = 50
QUERY_MAX_PAGES = 10

# https://help.aliyun.com/document_detail/101346.html (SendSms error codes)
ALIYUN_RETRY = {
    "isv.BUSINESS_LIMIT_CONTROL",  # per-number flow control
    "isv.DAY_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "SignatureNonceUsed",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "ServiceUnavailable",
    "InternalError",
}
ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_JSON_PARAM",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.DENY_IP_RANGE",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.EXTEND_CODE_ERROR",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
}


def classify_aliyun(code: str, status: int | None = None) -> type[SendError] | None:
    """None for OK; otherwise the error class. Unknown codes retry (bounded by attempts)."""
    if code == "OK":
        return None
    if code in ALIYUN_PERMANENT:
        return PermanentFailure
    if code in ALIYUN_RETRY or code.startswith(("Throttling", "isp.")):
        return RetryLater
    if status is not None and 400 <= status < 500 and code.startswith("isv."):
        return PermanentFailure
    return RetryLater


def split_endpoint(endpoint: str) -> tuple[str, str]:
    """'http://127.0.0.1:8104' → ('http', '127.0.0.1:8104'); a bare host means https."""
    if "://" in endpoint:
        scheme, host = endpoint.split("://", 1)
        return scheme.lower(), host.rstrip("/")
    return "https", endpoint.rstrip("/")


def _sdk_error(exc: Exception) -> SendError:
    """Map an SDK exception: a provider answer (code/status) is a refusal; HTTP 5xx and a
    transport error after the connection opened leave the outcome unknown."""
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    code = str(getattr(exc, "code", "") or "")
    text = str(getattr(exc, "message", "") or exc)[:300]
    if status is None and not code:
        return network_error(getattr(exc, "inner_exception", None), text)
    if status is not None and int(status) >= 500:
        return OutcomeUnknown(text, code=code or f"HTTP{status}")
    error = classify_aliyun(code, int(status) if status else None) or RetryLater
    return error(text, code=code)


class AliyunBackend:
    name = "aliyun"

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api_models

        scheme, host = split_endpoint(
            getattr(settings, "ALIYUN_SMS_ENDPOINT", "") or "dysmsapi.aliyuncs.com"
        )
        timeout_ms = timeout_seconds() * 1000
        config = open_api_models.Config(
            access_key_id=getattr(settings, "ALIYUN_SMS_ACCESS_KEY_ID", ""),
            access_key_secret=getattr(settings, "ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
            endpoint=host,
            protocol=scheme.upper(),
            read_timeout=timeout_ms,
            connect_timeout=timeout_ms,
        )
        self.client = Client(config)

    def _runtime(self):
        from alibabacloud_tea_util import models as util_models

        # Retries are ours (with back-off and the lease); the SDK must not retry silently.
        return util_models.RuntimeOptions(autoretry=False, max_attempts=1)

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        from alibabacloud_dysmsapi20170525 import models as sms_models

        if not template.aliyun_template_code:
            raise PermanentFailure(f"模板 {template.code} 未配置阿里云模板CODE", code="no_template")
        request = sms_models.SendSmsRequest(
            phone_numbers=message.to,
            sign_name=message.signature,
            template_code=template.aliyun_template_code,
            template_param=json.dumps(str_params(message, template), ensure_ascii=False),
            out_id=str(message.message_id),
        )
        try:
            response = self.client.send_sms_with_options(request, self._runtime())
        except Exception as exc:  # SDK errors: HTTP 4xx/5xx, timeouts, connection errors
            raise _sdk_error(exc) from exc
        body = response.body
        error = classify_aliyun(body.code or "")
        if error is not None:
            raise error(body.message or "", code=body.code or "")
        return body.biz_id or ""

    def lookup(self, message: OutboxMessage, *, now: dt.datetime) -> list[ProviderRecord]:
        """QuerySendDetails for the phone on the day(s) the request may have gone out,
        keeping the records whose OutId is this message id."""
        from alibabacloud_dysmsapi20170525 import models as sms_models

        since = message.check_since or now
        days = sorted(
            {
                (since - dt.timedelta(seconds=timeout_seconds())).astimezone(SHANGHAI).date(),
                since.astimezone(SHANGHAI).date(),
            }
        )
        out_id = str(message.message_id)
        found: list[ProviderRecord] = []
        for day in days:
            for page in range(1, QUERY_MAX_PAGES + 1):
                request = sms_models.QuerySendDetailsRequest(
                    phone_number=message.to,
                    send_date=day.strftime("%Y%m%d"),
                    page_size=QUERY_PAGE_SIZE,
                    current_page=page,
                )
                try:
                    response = self.client.query_send_details_with_options(request, self._runtime())
                except Exception as exc:
                    raise RetryLater(f"查询发送记录失败：{exc}"[:300], code="query") from exc
                body = response.body
                if (body.code or "") != "OK":
                    raise RetryLater(body.message or "", code=body.code or "query")
                dtos = body.sms_send_detail_dtos
                rows = (dtos.sms_send_detail_dto if dtos else None) or []
                for row in rows:
                    if row.out_id == out_id:
                        found.append(_record(row))
                if len(rows) < QUERY_PAGE_SIZE or page * QUERY_PAGE_SIZE >= int(
                    body.total_count or 0
                ):
                    break
        return found


def _record(row) -> ProviderRecord:
    status = int(row.send_status or 0)
    return ProviderRecord(
        provider_message_id="",  # QuerySendDetails does not return the BizId
        delivered={3: True, 2: False}.get(status),
        report={
            "send_status": status,
            "err_code": row.err_code or "",
            "send_date": row.send_date or "",
            "receive_date": row.receive_date or "",
        },
    )
