"""SMS gateways, chosen by settings.SMS_BACKEND: console | database | aliyun | tencent.

A backend sends one outbox message and returns the provider's message id, or raises
`RetryLater` (throttling, timeouts, 5xx: try again with back-off) or `PermanentFailure`
(invalid number, template not approved…: an SMS will never work, call the person instead).

Every request carries the message's stable `message_id` (Aliyun OutId, Tencent
SessionContext) so a retry after a lost response is recognisable as the same message.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from govhall.notifications.models import OutboxMessage, SentSms, SmsTemplate

logger = logging.getLogger("govhall.notifications")

DEFAULT_TIMEOUT_SECONDS = 10


class SendError(Exception):
    retry = True

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code


class RetryLater(SendError):
    retry = True


class PermanentFailure(SendError):
    retry = False


class Backend(Protocol):
    name: str

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str: ...


def _str_params(message: OutboxMessage, template: SmsTemplate) -> dict[str, str]:
    names = list(template.params) or list(message.params)
    return {k: str(message.params.get(k, "")) for k in names}


class ConsoleBackend:
    """Development: print the text."""

    name = "console"

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        self.stream.write(f"[短信] {message.to}: {message.body}\n")
        self.stream.flush()
        return f"console-{message.message_id}"


class DatabaseBackend:
    """Keeps each message in SentSms; a repeated message id is acknowledged, not re-sent."""

    name = "database"

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        try:
            with transaction.atomic():
                row = SentSms.objects.create(
                    message_id=message.message_id,
                    to=message.to,
                    template=message.template,
                    params=message.params,
                    signature=message.signature,
                    body=message.body,
                    sent_at=timezone.now(),
                )
        except IntegrityError:
            SentSms.objects.filter(message_id=message.message_id).update(requests=F("requests") + 1)
            row = SentSms.objects.get(message_id=message.message_id)
        return f"db-{row.pk}"


# --- Aliyun (dysmsapi 2017-05-25) -------------------------------------------------------

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


def _split_endpoint(endpoint: str) -> tuple[str, str]:
    """'http://127.0.0.1:8104' → ('http', '127.0.0.1:8104'); a bare host means https."""
    if "://" in endpoint:
        scheme, host = endpoint.split("://", 1)
        return scheme.lower(), host.rstrip("/")
    return "https", endpoint.rstrip("/")


class AliyunBackend:
    name = "aliyun"

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api_models

        scheme, host = _split_endpoint(
            getattr(settings, "ALIYUN_SMS_ENDPOINT", "") or "dysmsapi.aliyuncs.com"
        )
        timeout_ms = int(getattr(settings, "SMS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS) * 1000)
        config = open_api_models.Config(
            access_key_id=getattr(settings, "ALIYUN_SMS_ACCESS_KEY_ID", ""),
            access_key_secret=getattr(settings, "ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
            endpoint=host,
            protocol=scheme.upper(),
            read_timeout=timeout_ms,
            connect_timeout=timeout_ms,
        )
        self.client = Client(config)

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_tea_util import models as util_models

        if not template.aliyun_template_code:
            raise PermanentFailure(f"模板 {template.code} 未配置阿里云模板CODE", code="no_template")
        request = sms_models.SendSmsRequest(
            phone_numbers=message.to,
            sign_name=message.signature,
            template_code=template.aliyun_template_code,
            template_param=json.dumps(_str_params(message, template), ensure_ascii=False),
            out_id=str(message.message_id),
        )
        # Retries are ours (with back-off and the lease); the SDK must not retry silently.
        runtime = util_models.RuntimeOptions(autoretry=False, max_attempts=1)
        try:
            response = self.client.send_sms_with_options(request, runtime)
        except Exception as exc:  # SDK errors: HTTP 4xx/5xx, timeouts, connection errors
            code = str(getattr(exc, "code", "") or type(exc).__name__)
            status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
            text = str(getattr(exc, "message", "") or exc)[:300]
            if status is not None and int(status) >= 500:
                raise RetryLater(text, code=code) from exc
            error = classify_aliyun(code, int(status) if status else None) or RetryLater
            raise error(text, code=code) from exc
        body = response.body
        error = classify_aliyun(body.code or "")
        if error is not None:
            raise error(body.message or "", code=body.code or "")
        return body.biz_id or ""


# --- Tencent Cloud SMS (2021-01-11) -----------------------------------------------------

# https://cloud.tencent.com/document/api/382/55981 (SendSms error codes)
TENCENT_PERMANENT_PREFIXES = (
    "InvalidParameterValue.IncorrectPhoneNumber",
    "InvalidParameterValue.TemplateParameterFormatError",
    "InvalidParameterValue.TemplateParameterLengthLimit",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
    "InvalidParameterValue.ContentLengthLimit",
    "InvalidParameterValue.SdkAppIdNotExist",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberOnBlacklist",
    "FailedOperation.ContainSensitiveWord",
    "FailedOperation.MissingSignature",
    "FailedOperation.MissingTemplateToModify",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    "UnsupportedOperation.UnsupportedRegion",
)


def classify_tencent(code: str) -> type[SendError] | None:
    if code in ("Ok", "OK", ""):
        return None
    if code.startswith(TENCENT_PERMANENT_PREFIXES):
        return PermanentFailure
    # LimitExceeded.*, RequestLimitExceeded, InternalError.*, InsufficientBalance…: later.
    return RetryLater


class TencentBackend:
    name = "tencent"

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, host = _split_endpoint(
            getattr(settings, "TENCENT_SMS_ENDPOINT", "") or "sms.tencentcloudapi.com"
        )
        http_profile = HttpProfile(
            protocol=scheme,
            endpoint=host,
            reqTimeout=int(getattr(settings, "SMS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
        )
        cred = credential.Credential(
            getattr(settings, "TENCENT_SMS_SECRET_ID", ""),
            getattr(settings, "TENCENT_SMS_SECRET_KEY", ""),
        )
        region = getattr(settings, "TENCENT_SMS_REGION", "ap-guangzhou")
        self.client = sms_client.SmsClient(cred, region, ClientProfile(httpProfile=http_profile))
        self.app_id = getattr(settings, "TENCENT_SMS_SDK_APP_ID", "")

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models as sms_models

        if not template.tencent_template_id:
            raise PermanentFailure(f"模板 {template.code} 未配置腾讯云模板ID", code="no_template")
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.to}"]
        request.SmsSdkAppId = self.app_id
        request.SignName = message.signature
        request.TemplateId = template.tencent_template_id
        request.TemplateParamSet = list(_str_params(message, template).values())
        request.SessionContext = str(message.message_id)
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "ClientNetworkError"
            error = classify_tencent(code) or RetryLater
            raise error(exc.get_message() or "", code=code) from exc
        except Exception as exc:  # connection errors, timeouts
            raise RetryLater(str(exc)[:300], code=type(exc).__name__) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise RetryLater("腾讯云未返回发送状态", code="EmptySendStatusSet")
        status = statuses[0]
        error = classify_tencent(status.Code or "")
        if error is not None:
            raise error(status.Message or "", code=status.Code or "")
        return status.SerialNo or ""


BACKENDS = {
    "console": ConsoleBackend,
    "database": DatabaseBackend,
    "aliyun": AliyunBackend,
    "tencent": TencentBackend,
}


def get_backend(name: str | None = None) -> Backend:
    name = name or getattr(settings, "SMS_BACKEND", "console")
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(
            f"未知的短信通道 SMS_BACKEND={name!r}（可选 {', '.join(BACKENDS)}）"
        ) from None
