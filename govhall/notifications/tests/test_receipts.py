import json

import pytest
from django.db import transaction

from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage

from .conftest import MORNING

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/receipts/"


@pytest.fixture
def sent(send, settings):
    settings.SMS_RECEIPT_TOKEN = "s3cret-token"
    message = send()
    dispatch_due(MORNING)
    message.refresh_from_db()
    return message


def _as(message, provider, provider_id):
    OutboxMessage.objects.filter(pk=message.pk).update(
        provider=provider, provider_message_id=provider_id
    )


def post(client, provider, payload, token="s3cret-token"):
    headers = {"HTTP_X_RECEIPT_TOKEN": token} if token else {}
    return client.post(
        f"{URL}{provider}", data=json.dumps(payload), content_type="application/json", **headers
    )


def test_aliyun_receipt_is_stored_on_the_message(client, sent):
    _as(sent, "aliyun", "biz-1")
    report = [
        {
            "phone_number": "13800138000",
            "send_time": "2026-03-12 10:00:01",
            "report_time": "2026-03-12 10:00:05",
            "success": True,
            "err_code": "DELIVERED",
            "err_msg": "用户接收成功",
            "sms_size": "1",
            "biz_id": "biz-1",
            "out_id": str(sent.message_id),
        }
    ]
    response = post(client, "aliyun", report)
    assert response.status_code == 200, response.content
    assert response.json()["code"] == 0 and response.json()["matched"] == 1
    sent.refresh_from_db()
    assert sent.delivery_status == "delivered"
    assert sent.delivered_at.isoformat() == "2026-03-12T02:00:05+00:00"
    assert sent.delivery_report["err_code"] == "DELIVERED"


def test_tencent_failed_receipt_matches_by_serial_no(client, sent):
    _as(sent, "tencent", "serial-9")
    report = [
        {
            "user_receive_time": "2026-03-12 10:00:07",
            "nationcode": "86",
            "mobile": "13800138000",
            "report_status": "FAIL",
            "errmsg": "MK:0012",
            "description": "用户关机",
            "sid": "serial-9",
        }
    ]
    response = post(client, "tencent", report)
    assert response.status_code == 200
    assert response.json()["result"] == 0
    sent.refresh_from_db()
    assert sent.delivery_status == "undelivered"


@pytest.mark.parametrize("token", [None, "wrong"])
def test_receipt_without_the_shared_secret_is_refused(client, sent, token):
    _as(sent, "aliyun", "biz-1")
    response = post(client, "aliyun", [{"out_id": str(sent.message_id), "success": True}], token)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    sent.refresh_from_db()
    assert sent.delivery_status == ""


def test_receipts_are_off_when_no_token_is_configured(client, sent, settings):
    settings.SMS_RECEIPT_TOKEN = ""
    assert post(client, "aliyun", [], token="").status_code == 403


def test_token_in_the_query_string_is_refused(client, sent):
    # A query string lands in access logs: the token is accepted only in the header.
    _as(sent, "aliyun", "biz-1")
    response = client.post(
        f"{URL}aliyun?token=s3cret-token",
        data=json.dumps([{"out_id": str(sent.message_id), "success": True}]),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "bad_receipt_token"
    sent.refresh_from_db()
    assert sent.delivery_status == ""


def test_bad_receipt_bodies_are_4xx_not_500(client, sent):
    bad = client.post(
        f"{URL}aliyun",
        data="{not json",
        content_type="application/json",
        HTTP_X_RECEIPT_TOKEN="s3cret-token",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body"
    assert post(client, "aliyun", [1, 2]).status_code == 422
    assert post(client, "pigeon", []).status_code == 404
    # A report for someone else's message (or a garbage id) is acknowledged and ignored.
    response = post(client, "aliyun", [{"out_id": "not-a-uuid", "success": True}])
    assert response.status_code == 200 and response.json()["matched"] == 0
    with transaction.atomic():
        pass


def _aliyun_report(message, biz_id, success=True):
    return {
        "phone_number": message.to,
        "send_time": "2026-03-12 10:00:01",
        "report_time": "2026-03-12 10:00:05",
        "success": success,
        "err_code": "DELIVERED",
        "err_msg": "用户接收成功",
        "sms_size": "1",
        "biz_id": biz_id,
        "out_id": str(message.message_id),
    }


def test_a_receipt_settles_a_checking_message_as_sent(client, send, settings):
    settings.SMS_RECEIPT_TOKEN = "s3cret-token"
    message = send()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="checking", provider="aliyun", check_since=MORNING, due_at=MORNING
    )
    response = post(client, "aliyun", [_aliyun_report(message, "biz-7")])
    assert response.json()["matched"] == 1
    message.refresh_from_db()
    assert (message.status, message.provider_message_id, message.sent_at) == (
        "sent",
        "biz-7",
        MORNING,
    )
    assert message.check_since is None and message.duplicates == 0
    # Settled: the dispatcher neither asks nor resends.
    assert dispatch_due(MORNING.replace(hour=11)).claimed == 0


def test_two_provider_ids_for_one_message_are_counted_as_a_duplicate(client, sent):
    _as(sent, "aliyun", "biz-1")
    OutboxMessage.objects.filter(pk=sent.pk).update(provider_ids=[])  # a row from before
    post(client, "aliyun", [_aliyun_report(sent, "biz-1")])
    post(client, "aliyun", [_aliyun_report(sent, "biz-1")])  # the provider pushes again
    sent.refresh_from_db()
    assert sent.duplicates == 0
    post(client, "aliyun", [_aliyun_report(sent, "biz-2")])
    sent.refresh_from_db()
    assert (sent.duplicates, sent.provider_ids, sent.provider_message_id) == (
        1,
        ["biz-1", "biz-2"],
        "biz-1",
    )
