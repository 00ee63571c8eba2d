"""notifications_send_many: the rules of notification_send, for many messages at once."""

import datetime as dt

import pytest
from django.db import transaction

from govhall.notifications.bulk import Recipient, notifications_send_many
from govhall.notifications.models import OutboxMessage, PhoneCallTask
from govhall.notifications.services import notification_send, opt_out_add

from .conftest import MORNING, SH

pytestmark = pytest.mark.django_db

REMINDER = {
    "name": "张三",
    "item": "食品经营许可",
    "date": "3月13日",
    "time": "09:00",
    "place": "A区",
    "code": "123456",
}


def _send_many(recipients, template="appointment_reminder", now=MORNING):
    with transaction.atomic():
        return notifications_send_many(template=template, recipients=recipients, now=now)


def test_each_row_is_what_notification_send_would_have_written(center):
    people = [
        Recipient(
            to=f"1380013800{n}",
            params={**REMINDER, "code": f"00000{n}"},
            center=center,
            related_type="cases.case",
            related_id=str(n),
        )
        for n in range(3)
    ]
    assert _send_many(people) == 3
    with transaction.atomic():
        single = notification_send(
            template="appointment_reminder",
            to="13800138000",
            params={**REMINDER, "code": "000000"},
            center=center,
            now=MORNING,
        )
    rows = list(OutboxMessage.objects.exclude(pk=single.pk).order_by("related_id"))
    assert [r.related_id for r in rows] == ["0", "1", "2"]
    assert rows[0].body == single.body and "【测试县政务服务中心】" in single.body
    assert [r.to for r in rows] == ["13800138000", "13800138001", "13800138002"]
    assert {(r.status, r.due_at, r.related_type) for r in rows} == {
        ("pending", MORNING, "cases.case")
    }


def test_opt_outs_quiet_hours_and_numbers_without_a_mobile(center):
    opt_out_add(phone="13800138001", source="test")
    night = dt.datetime(2026, 3, 12, 22, 30, tzinfo=SH)
    people = [
        Recipient(to="13800138000", params=REMINDER, center=center, related_id="a"),
        Recipient(to="13800138001", params=REMINDER, center=center, related_id="b"),
        Recipient(to="0451-8888888", params=REMINDER, center=center, related_id="c"),
    ]
    assert _send_many(people, now=night) == 3
    by_id = {m.related_id: m for m in OutboxMessage.objects.all()}
    assert by_id["a"].status == "pending" and by_id["a"].hold_reason == "免打扰时段"
    assert by_id["a"].due_at == dt.datetime(2026, 3, 13, 8, 0, tzinfo=SH)
    assert by_id["b"].status == "cancelled"  # a reminder to an opted-out phone
    assert by_id["c"].channel == "phone_call"
    assert PhoneCallTask.objects.filter(message=by_id["c"]).exists()


def test_legal_notices_ignore_opt_outs_and_missing_parameters_write_nothing(center):
    opt_out_add(phone="13800138001", source="test")
    case = {"name": "张*", "item": "食品经营许可", "case_no": "X-1", "link": "https://x/p"}
    _send_many([Recipient(to="13800138001", params=case, center=center)], "case_accepted")
    assert OutboxMessage.objects.get().status == "pending"
    with pytest.raises(Exception, match="缺少参数：link"):
        _send_many(
            [
                Recipient(to="13800138000", params=case, center=center),
                Recipient(to="13800138002", params={**case, "link": ""}, center=center),
            ],
            "case_accepted",
        )
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        notifications_send_many(template="case_accepted", recipients=[], now=MORNING)
