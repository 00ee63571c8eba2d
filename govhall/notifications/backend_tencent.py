"""Tencent Cloud SMS (2021-01-11) through the official SDK `tencentcloud-sdk-python-sms`.

SendSms (https://cloud.tencent.com/document/api/382/55981): PhoneNumberSet (+86…),
SmsSdkAppId, SignName, TemplateId, TemplateParamSet, SessionContext (our message id: "可以
携带用户侧 ID 等上下文信息，server 会原样返回" — echoed, not a deduplication key).
PullSmsSendStatusByPhoneNumber (https://www.tencentcloud.com/document/api/382/40518):
BeginTime/EndTime (UNIX seconds, at most 7 days back), Offset (fixed 0), Limit (≤ 100),
PhoneNumber, SmsSdkAppId; each PullSmsSendStatus has SerialNo, ReportStatus (SUCCESS/FAIL),
UserReceiveTime and SessionContext. Records appear once the carrier has reported ("仅当运营商
有返回短信接收状态时回包中才会有状态数据"), and SessionContext in these records is empty
unless the account has it switched on ("默认为空，如需开通请联系腾讯云短信小助手"): an
operator must ask for it, otherwise an unknown outcome is never found and is resent once
after the window.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from govhall.notifications.backend_aliyun import split_endpoint
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

PULL_LIMIT = 100

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


def _sdk_error(exc: Exception) -> SendError:
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )

    if isinstance(exc, TencentCloudSDKException):
        code = exc.get_code() or ""
        text = exc.get_message() or ""
        if code in ("ClientNetworkError", "ServerNetworkError", ""):
            # The SDK wraps the transport error; the original is the implicit context.
            if code == "ServerNetworkError":  # an HTTP status other than 200 came back
                return OutcomeUnknown(text[:300], code=code)
            return network_error(exc.__context__, text)
        return (classify_tencent(code) or RetryLater)(text, code=code)
    return network_error(exc, str(exc))


class TencentBackend:
    name = "tencent"

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, host = split_endpoint(
            getattr(settings, "TENCENT_SMS_ENDPOINT", "") or "sms.tencentcloudapi.com"
        )
        http_profile = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=timeout_seconds())
        cred = credential.Credential(
            getattr(settings, "TENCENT_SMS_SECRET_ID", ""),
            getattr(settings, "TENCENT_SMS_SECRET_KEY", ""),
        )
        region = getattr(settings, "TENCENT_SMS_REGION", "ap-guangzhou")
        self.client = sms_client.SmsClient(cred, region, ClientProfile(httpProfile=http_profile))
        self.app_id = getattr(settings, "TENCENT_SMS_SDK_APP_ID", "")

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        from tencentcloud.sms.v20210111 import models as sms_models

        if not template.tencent_template_id:
            raise PermanentFailure(f"模板 {template.code} 未配置腾讯云模板ID", code="no_template")
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.to}"]
        request.SmsSdkAppId = self.app_id
        request.SignName = message.signature
        request.TemplateId = template.tencent_template_id
        request.TemplateParamSet = list(str_params(message, template).values())
        request.SessionContext = str(message.message_id)
        try:
            response = self.client.SendSms(request)
        except Exception as exc:
            raise _sdk_error(exc) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise OutcomeUnknown("腾讯云未返回发送状态", code="EmptySendStatusSet")
        status = statuses[0]
        error = classify_tencent(status.Code or "")
        if error is not None:
            raise error(status.Message or "", code=status.Code or "")
        return status.SerialNo or ""

    def lookup(self, message: OutboxMessage, *, now: dt.datetime) -> list[ProviderRecord]:
        """PullSmsSendStatusByPhoneNumber from just before the request went out until now,
        keeping the records whose SessionContext is this message id."""
        from tencentcloud.sms.v20210111 import models as sms_models

        since = (message.check_since or now) - dt.timedelta(seconds=timeout_seconds() + 60)
        request = sms_models.PullSmsSendStatusByPhoneNumberRequest()
        request.BeginTime = int(since.timestamp())
        request.EndTime = int(now.timestamp())
        request.Offset = 0
        request.Limit = PULL_LIMIT
        request.PhoneNumber = f"+86{message.to}"
        request.SmsSdkAppId = self.app_id
        try:
            response = self.client.PullSmsSendStatusByPhoneNumber(request)
        except Exception as exc:
            raise RetryLater(f"拉取下发状态失败：{exc}"[:300], code="query") from exc
        session = str(message.message_id)
        return [
            ProviderRecord(
                provider_message_id=row.SerialNo or "",
                delivered={"SUCCESS": True, "FAIL": False}.get(row.ReportStatus or ""),
                report={
                    "report_status": row.ReportStatus or "",
                    "description": row.Description or "",
                    "user_receive_time": row.UserReceiveTime,
                },
            )
            for row in response.PullSmsSendStatusSet or []
            if row.SessionContext == session
        ]
