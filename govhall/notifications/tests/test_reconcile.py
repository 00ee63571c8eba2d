"""Per backend, with the real SDK client against a provider that does not deduplicate:
refused → retried; unknown → `checking`, never resent blindly; found by the provider's
query → sent; not found after the window → resent once. Time moves with time-machine."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage, PhoneCallTask

from .conftest import MORNING
from .fakes import DROP, LOSE

pytestmark = pytest.mark.django_db

S = OutboxMessage.Status


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request, settings, aliyun, tencent):
    settings.SMS_BACKEND = request.param
    return {"aliyun": aliyun, "tencent": tencent}[request.param]


def _first_send(outcome):
    """Answer the first SendSms with `outcome`, then normally."""
    seen = []

    def decide(request):
        if request["action"] == "SendSms" and not seen:
            seen.append(request)
            return outcome
        return None

    return decide


def _refused(provider):
    if provider.prefix == "biz":
        return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码天级流控"}
    return 200, {
        "Response": {
            "Error": {
                "Code": "LimitExceeded.PhoneNumberDailyLimit",
                "Message": "单个手机号日下发短信条数超过设定的上限",
            },
            "RequestId": "x",
        }
    }


def test_refused_is_retried_after_a_back_off_nothing_on_the_phone(provider, message):
    provider.decide = _first_send(_refused(provider))
    with time_machine.travel(MORNING, tick=False) as clock:
        first = dispatch_due(timezone.now())
        assert (first.retried, first.checking, first.queries) == (1, 0, 0)
        message.refresh_from_db()
        assert (message.status, message.attempts, message.check_since) == (S.PENDING, 1, None)
        assert provider.phones.delivered == []
        clock.shift(dt.timedelta(minutes=1))
        assert dispatch_due(timezone.now()).sent == 1
    assert provider.phones.received == {str(message.message_id): 1}
    assert provider.queries == 0


def test_unknown_waits_in_checking_and_is_not_resent(provider, message):
    provider.decide = _first_send(LOSE)
    with time_machine.travel(MORNING, tick=False) as clock:
        first = dispatch_due(timezone.now())
        assert (first.sent, first.retried, first.checking) == (0, 0, 1)
        message.refresh_from_db()
        assert message.status == S.CHECKING
        assert message.check_since == MORNING
        assert message.due_at == MORNING + dt.timedelta(seconds=30)
        clock.shift(dt.timedelta(seconds=29))
        assert dispatch_due(timezone.now()).claimed == 0  # not before the receipt delay
    assert len(provider.sends) == 1
    assert provider.phones.received == {str(message.message_id): 1}


def test_unknown_found_by_the_providers_query_is_sent_once(provider, message):
    provider.decide = _first_send(LOSE)
    with time_machine.travel(MORNING, tick=False) as clock:
        dispatch_due(timezone.now())
        clock.shift(dt.timedelta(seconds=2))  # the carrier has not reported yet
        message.refresh_from_db()
        OutboxMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())
        early = dispatch_due(timezone.now())
        assert (early.queries, early.found, early.checking) == (1, 0, 1)
        clock.shift(dt.timedelta(seconds=60))
        later = dispatch_due(timezone.now())
        assert (later.queries, later.found, later.sent) == (1, 1, 1)
    message.refresh_from_db()
    [delivered] = provider.phones.delivered
    assert message.status == S.SENT and message.check_since is None
    assert message.sent_at == MORNING
    assert message.checks == 2 and message.duplicates == 0
    assert message.delivery_status == "delivered"
    if provider.prefix == "serial":  # Tencent's pull returns the SerialNo; Aliyun's no BizId
        assert message.provider_message_id == delivered.provider_id
    assert len(provider.sends) == 1
    assert provider.queries == 2
    query = [r for r in provider.requests if r["action"] != "SendSms"][-1]
    if provider.prefix == "biz":
        assert query["action"] == "QuerySendDetails"
        assert (query["params"]["PhoneNumber"], query["params"]["SendDate"]) == (
            "13800138000",
            "20260312",
        )
    else:
        assert query["action"] == "PullSmsSendStatusByPhoneNumber"
        assert query["params"]["PhoneNumber"] == "+8613800138000"
        assert query["params"]["SmsSdkAppId"] == "1400000001"


def test_not_found_after_the_window_is_resent_once(provider, message):
    provider.decide = _first_send(DROP)  # the request never reached the provider
    with time_machine.travel(MORNING, tick=False) as clock:
        dispatch_due(timezone.now())
        for _ in range(19):  # asked every 30 s for 10 minutes
            clock.shift(dt.timedelta(seconds=30))
            r = dispatch_due(timezone.now())
            assert (r.checking, r.resent_unknown) == (1, 0)
        clock.shift(dt.timedelta(seconds=30))
        last = dispatch_due(timezone.now())
        assert (last.resent_unknown, last.sent) == (1, 1)
    message.refresh_from_db()
    assert message.status == S.SENT and message.unknown_resends == 1
    assert provider.queries == 20
    assert len(provider.sends) == 2
    assert provider.phones.received == {str(message.message_id): 1}


def test_a_second_unknown_never_found_becomes_a_phone_call(provider, message, settings):
    settings.SMS_CHECK_WINDOW_SECONDS = 60
    provider.decide = lambda r: DROP if r["action"] == "SendSms" else None
    with time_machine.travel(MORNING, tick=False) as clock:
        for _ in range(8):
            dispatch_due(timezone.now())
            clock.shift(dt.timedelta(seconds=31))
    message.refresh_from_db()
    assert message.status == S.FAILED and message.unknown_resends == 1
    assert len(provider.sends) == 2
    assert PhoneCallTask.objects.filter(message=message, reason="sms_failed").count() == 1
