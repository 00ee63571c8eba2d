"""The real gateways (official SDK clients, built for real) against local HTTP servers
standing in for Aliyun and Tencent Cloud: what the request carries, and how each answer is
classified — refused (nothing sent) or unknown (the request went out, the answer was lost)."""

import json
import socket

import pytest
from django.core import checks
from django.db import transaction

from govhall.notifications.backend_aliyun import AliyunBackend, classify_aliyun
from govhall.notifications.backend_tencent import TencentBackend, classify_tencent
from govhall.notifications.backends import (
    ConsoleBackend,
    OutcomeUnknown,
    PermanentFailure,
    RetryLater,
    get_backend,
)
from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage, PhoneCallTask
from govhall.notifications.services import get_template

from .conftest import CASE, MORNING
from .fakes import DROP, HOLD, LOSE

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A port nothing listens on: bind port 0, read the number back, close it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    [delivered] = aliyun.phones.delivered
    assert message.status == OutboxMessage.Status.SENT
    assert (message.provider, message.provider_message_id) == ("aliyun", delivered.provider_id)


def test_aliyun_does_not_deduplicate_a_repeat_is_a_second_sms(aliyun, message):
    backend = AliyunBackend()
    first = _send_direct(backend, message)
    second = _send_direct(backend, message)
    assert first != second
    assert aliyun.phones.received == {str(message.message_id): 2}


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
        (503, "ServiceUnavailable", OutcomeUnknown),
        (500, "InternalError", OutcomeUnknown),
    ],
)
def test_aliyun_answers_are_mapped(aliyun, message, status, code, expected):
    aliyun.decide = lambda request: (status, {"Code": code, "Message": "错误", "RequestId": "r1"})
    with pytest.raises(expected) as exc:
        _send_direct(AliyunBackend(), message)
    assert exc.type is expected
    assert code in str(exc.value)
    assert aliyun.phones.delivered == []


def test_aliyun_lost_answer_and_timeout_are_unknown_not_refused(aliyun, message):
    aliyun.decide = lambda r: LOSE
    with pytest.raises(OutcomeUnknown) as lost:
        _send_direct(AliyunBackend(), message)
    assert lost.value.code.startswith("lost:") and "Connection aborted" in str(lost.value)
    aliyun.decide = lambda r: HOLD  # answers only after the client's 1 s timeout
    with pytest.raises(OutcomeUnknown) as timeout:
        _send_direct(AliyunBackend(), message)
    aliyun.release.set()
    assert "timed out" in str(timeout.value).lower()
    assert aliyun.phones.received == {str(message.message_id): 2}  # both were accepted


def test_aliyun_unreachable_is_refused(settings, message, aliyun):
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(RetryLater) as exc:
        _send_direct(AliyunBackend(), message)
    assert exc.type is RetryLater and exc.value.code.startswith("connect:")


def test_aliyun_permanent_failure_ends_in_a_phone_call_task(aliyun, message, settings):
    settings.SMS_BACKEND = "aliyun"
    aliyun.decide = lambda r: (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
    assert dispatch_due(MORNING).failed == 1
    message.refresh_from_db()
    assert message.status == "failed" and "MOBILE_NUMBER_ILLEGAL" in message.last_error
    assert PhoneCallTask.objects.filter(message=message, reason="sms_failed").count() == 1


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
    [delivered] = tencent.phones.delivered
    assert (message.status, message.provider) == ("sent", "tencent")
    assert message.provider_message_id == delivered.provider_id


def test_tencent_does_not_deduplicate_a_repeat_is_a_second_sms(tencent, message):
    backend = TencentBackend()
    _send_direct(backend, message)
    _send_direct(backend, message)
    assert tencent.phones.received == {str(message.message_id): 2}


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
def test_tencent_answers_are_mapped(tencent, message, decide, code, expected):
    tencent.decide = decide(code)
    with pytest.raises(expected) as exc:
        _send_direct(TencentBackend(), message)
    assert exc.type is expected
    assert code in str(exc.value)


def test_tencent_5xx_lost_answer_and_timeout_are_unknown(tencent, message):
    tencent.decide = lambda r: (502, {"message": "bad gateway"})
    with pytest.raises(OutcomeUnknown) as bad_gateway:
        _send_direct(TencentBackend(), message)
    assert bad_gateway.value.code == "ServerNetworkError"
    tencent.decide = lambda r: LOSE
    with pytest.raises(OutcomeUnknown):
        _send_direct(TencentBackend(), message)
    tencent.decide = lambda r: HOLD
    with pytest.raises(OutcomeUnknown):
        _send_direct(TencentBackend(), message)
    tencent.release.set()
    assert tencent.phones.received == {str(message.message_id): 2}


def test_tencent_unreachable_and_dropped_before_acceptance(settings, tencent, message):
    tencent.decide = lambda r: DROP  # lost on the way: unknown to us, nothing on the phone
    with pytest.raises(OutcomeUnknown):
        _send_direct(TencentBackend(), message)
    assert tencent.phones.delivered == []
    settings.TENCENT_SMS_ENDPOINT = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(RetryLater) as exc:
        _send_direct(TencentBackend(), message)
    assert exc.type is RetryLater and exc.value.code.startswith("connect:")


# --- Others -----------------------------------------------------------------------------


def test_classifiers_default_unknown_codes_to_retry():
    assert classify_aliyun("OK") is None
    assert classify_aliyun("SomethingNew") is RetryLater
    assert classify_tencent("Ok") is None
    assert classify_tencent("UnknownError") is RetryLater


def test_console_backend_prints_with_the_phone_masked(send, capsys):
    message = send()
    assert ConsoleBackend().send(message, get_template(message.template)).startswith("console-")
    out = capsys.readouterr().out
    assert out.startswith("[短信] 138****8000: ")
    assert "13800138000" not in out


@pytest.mark.parametrize(
    ("debug", "backend", "errors"),
    [
        (False, "console", ["govhall.notifications.E001"]),
        (True, "console", []),
        (False, "aliyun", []),
    ],
)
def test_deploy_check_refuses_the_console_backend_without_debug(settings, debug, backend, errors):
    settings.DEBUG = debug
    settings.SMS_BACKEND = backend
    found = [
        m.id
        for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        if m.id.startswith("govhall.notifications.")
    ]
    assert found == errors


def test_unknown_backend_setting_is_a_clear_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="carrier-pigeon"):
        get_backend()


def test_database_backend_is_default_in_tests(send):
    assert get_backend().name == "database"
    with transaction.atomic():
        pass
