"""The real gateways (official SDKs) against local HTTP servers standing in for Aliyun and
Tencent Cloud: what the request carries, and how provider errors are classified."""

import json
import os
import time

import pytest
from django.db import transaction

from govhall.notifications.backends import (
    AliyunBackend,
    ConsoleBackend,
    PermanentFailure,
    RetryLater,
    TencentBackend,
    classify_aliyun,
    classify_tencent,
    get_backend,
)
from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage, PhoneCallTask, SmsTemplate
from govhall.notifications.services import get_template

from .conftest import MORNING
from .fakes import FakeAliyun, FakeTencent

pytestmark = pytest.mark.django_db

CASE = {
    "name": "张三",
    "item": "食品经营许可",
    "case_no": "SCJG2026000123",
    "link": "https://x/d/ab",
}

# Ports 8104–8110 are ours; each xdist worker takes its own pair so servers never collide.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw2").removeprefix("gw") or 2) % 3
ALIYUN_PORT = 8104 + 2 * _WORKER
TENCENT_PORT = 8105 + 2 * _WORKER
CLOSED_PORT = 8110  # nothing listens here


@pytest.fixture
def aliyun(settings):
    with FakeAliyun(ALIYUN_PORT) as fake:
        settings.ALIYUN_SMS_ENDPOINT = fake.endpoint
        settings.ALIYUN_SMS_ACCESS_KEY_ID = "test-ak"
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "test-secret"
        settings.SMS_TIMEOUT_SECONDS = 1
        SmsTemplate.objects.filter(code="case_accepted").update(
            aliyun_template_code="SMS_465001", tencent_template_id="2001001"
        )
        yield fake


@pytest.fixture
def tencent(settings):
    with FakeTencent(TENCENT_PORT) as fake:
        settings.TENCENT_SMS_ENDPOINT = fake.endpoint
        settings.TENCENT_SMS_SECRET_ID = "test-id"
        settings.TENCENT_SMS_SECRET_KEY = "test-key"
        settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
        settings.SMS_TIMEOUT_SECONDS = 1
        SmsTemplate.objects.filter(code="case_accepted").update(
            aliyun_template_code="SMS_465001", tencent_template_id="2001001"
        )
        yield fake


@pytest.fixture
def message(send, center):
    return send(template="case_accepted", params=CASE, center=center)


def _send_direct(backend, message):
    return backend.send(message, get_template(message.template))


# --- Aliyun -----------------------------------------------------------------------------


def test_aliyun_request_carries_code_params_signature_phone_and_out_id(aliyun, message, settings):
    settings.SMS_BACKEND = "aliyun"
    assert dispatch_due(MORNING).sent == 1
    [request] = aliyun.requests
    p = request["params"]
    assert p["TemplateCode"] == "SMS_465001"
    assert json.loads(p["TemplateParam"]) == CASE
    assert p["SignName"] == "测试县政务服务中心"
    assert p["PhoneNumbers"] == "13800138000"
    assert p["OutId"] == str(message.message_id)
    assert request["headers"]["x-acs-action"] == "SendSms"
    assert request["headers"]["x-acs-version"] == "2017-05-25"
    assert "test-ak" in request["headers"]["Authorization"]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert (message.provider, message.provider_message_id) == (
        "aliyun",
        f"biz-{str(message.message_id)[:8]}",
    )


def test_aliyun_repeat_of_one_message_is_one_accepted_send(aliyun, message):
    backend = AliyunBackend()
    _send_direct(backend, message)
    _send_direct(backend, message)  # a retry after a lost response
    assert len(aliyun.requests) == 2
    assert {r["params"]["OutId"] for r in aliyun.requests} == {str(message.message_id)}
    assert aliyun.accepted == {str(message.message_id): 1}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (200, "isv.BUSINESS_LIMIT_CONTROL", RetryLater),
        (200, "isv.DAY_LIMIT_CONTROL", RetryLater),
        (200, "isp.SYSTEM_ERROR", RetryLater),
        (200, "isv.MOBILE_NUMBER_ILLEGAL", PermanentFailure),
        (200, "isv.SMS_TEMPLATE_ILLEGAL", PermanentFailure),
        (200, "isv.SMS_SIGNATURE_ILLEGAL", PermanentFailure),
        (200, "isv.TEMPLATE_MISSING_PARAMETERS", PermanentFailure),
        (400, "Throttling.User", RetryLater),
        (400, "isv.INVALID_PARAMETERS", PermanentFailure),
        (503, "ServiceUnavailable", RetryLater),
        (500, "InternalError", RetryLater),
    ],
)
def test_aliyun_error_codes_are_mapped(aliyun, message, status, code, expected):
    aliyun.decide = lambda request: (
        status,
        {"Code": code, "Message": "错误", "RequestId": "r1"},
    )
    with pytest.raises(expected) as exc:
        _send_direct(AliyunBackend(), message)
    assert code in str(exc.value)
    assert aliyun.accepted == {}


def test_aliyun_timeout_is_retried_later(aliyun, message):
    def slow(request):
        time.sleep(1.6)
        return None

    aliyun.decide = slow
    started = time.monotonic()
    with pytest.raises(RetryLater):
        _send_direct(AliyunBackend(), message)
    assert time.monotonic() - started < 1.5


def test_aliyun_unreachable_is_retried_later(settings, message):
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{CLOSED_PORT}"
    SmsTemplate.objects.filter(code="case_accepted").update(aliyun_template_code="SMS_1")
    with pytest.raises(RetryLater):
        _send_direct(AliyunBackend(), message)


def test_aliyun_permanent_failure_ends_in_a_phone_call_task(aliyun, message, settings):
    settings.SMS_BACKEND = "aliyun"
    aliyun.decide = lambda r: (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
    assert dispatch_due(MORNING).failed == 1
    message.refresh_from_db()
    assert message.status == "failed" and "MOBILE_NUMBER_ILLEGAL" in message.last_error
    assert PhoneCallTask.objects.filter(message=message, reason="sms_failed").exists()


def test_template_without_provider_code_fails_permanently(aliyun, tencent, send):
    message = send()  # verification_code has no provider codes configured
    with pytest.raises(PermanentFailure):
        _send_direct(AliyunBackend(), message)
    with pytest.raises(PermanentFailure):
        _send_direct(TencentBackend(), message)


# --- Tencent ----------------------------------------------------------------------------


def test_tencent_request_carries_template_params_signature_phone_and_session(
    tencent, message, settings
):
    settings.SMS_BACKEND = "tencent"
    assert dispatch_due(MORNING).sent == 1
    [request] = tencent.requests
    p = request["params"]
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["X-TC-Version"] == "2021-01-11"
    assert request["headers"]["Authorization"].startswith("TC3-HMAC-SHA256 Credential=test-id/")
    assert p["TemplateId"] == "2001001"
    assert p["TemplateParamSet"] == [CASE[k] for k in ("name", "item", "case_no", "link")]
    assert p["SignName"] == "测试县政务服务中心"
    assert p["PhoneNumberSet"] == ["+8613800138000"]
    assert p["SmsSdkAppId"] == "1400000001"
    assert p["SessionContext"] == str(message.message_id)
    message.refresh_from_db()
    assert (message.status, message.provider) == ("sent", "tencent")
    assert message.provider_message_id == f"serial-{str(message.message_id)[:8]}"


def test_tencent_repeat_of_one_message_is_one_accepted_send(tencent, message):
    backend = TencentBackend()
    _send_direct(backend, message)
    _send_direct(backend, message)
    assert tencent.accepted == {str(message.message_id): 1}


def _tencent_error(code):
    return lambda r: (
        200,
        {"Response": {"Error": {"Code": code, "Message": "错误"}, "RequestId": "x"}},
    )


def _tencent_status(code):
    def reply(request):
        return 200, {
            "Response": {
                "SendStatusSet": [
                    {"SerialNo": "", "PhoneNumber": "+8613800138000", "Code": code, "Message": "错"}
                ],
                "RequestId": "x",
            }
        }

    return reply


@pytest.mark.parametrize(
    ("decide", "code", "expected"),
    [
        (_tencent_error, "LimitExceeded.PhoneNumberDailyLimit", RetryLater),
        (_tencent_error, "RequestLimitExceeded", RetryLater),
        (_tencent_error, "InternalError.Timeout", RetryLater),
        (_tencent_error, "FailedOperation.TemplateIncorrectOrUnapproved", PermanentFailure),
        (_tencent_error, "FailedOperation.SignatureIncorrectOrUnapproved", PermanentFailure),
        (_tencent_status, "InvalidParameterValue.IncorrectPhoneNumber", PermanentFailure),
        (_tencent_status, "FailedOperation.PhoneNumberInBlacklist", PermanentFailure),
        (_tencent_status, "LimitExceeded.PhoneNumberThirtySecondLimit", RetryLater),
    ],
)
def test_tencent_error_codes_are_mapped(tencent, message, decide, code, expected):
    tencent.decide = decide(code)
    with pytest.raises(expected) as exc:
        _send_direct(TencentBackend(), message)
    assert code in str(exc.value)


def test_tencent_5xx_and_timeout_are_retried_later(tencent, message):
    tencent.decide = lambda r: (502, {"message": "bad gateway"})
    with pytest.raises(RetryLater):
        _send_direct(TencentBackend(), message)

    def slow(request):
        time.sleep(1.6)
        return None

    tencent.decide = slow
    with pytest.raises(RetryLater):
        _send_direct(TencentBackend(), message)


# --- Others -----------------------------------------------------------------------------


def test_classifiers_default_unknown_codes_to_retry():
    assert classify_aliyun("OK") is None
    assert classify_aliyun("SomethingNew") is RetryLater
    assert classify_tencent("Ok") is None
    assert classify_tencent("UnknownError") is RetryLater


def test_console_backend_prints(send, capsys):
    message = send()
    assert ConsoleBackend().send(message, get_template(message.template)).startswith("console-")
    assert "您的验证码为123456" in capsys.readouterr().out


def test_unknown_backend_setting_is_a_clear_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="carrier-pigeon"):
        get_backend()


def test_database_backend_is_default_in_tests(send):
    assert get_backend().name == "database"
    with transaction.atomic():
        pass
