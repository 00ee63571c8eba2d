"""Quiet hours and per-phone rate limits, with a moved clock."""

import pytest
import time_machine

from govhall.core.testing import at
from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage, SentSms

pytestmark = pytest.mark.django_db

CASE = {
    "name": "张三",
    "item": "食品经营许可",
    "case_no": "SCJG2026000123",
    "link": "https://x/d/ab",
}


def test_non_urgent_sms_in_quiet_hours_waits_until_morning(send):
    with time_machine.travel(at(2026, 3, 12, 22, 30), tick=False):
        message = send(template="case_accepted", params=CASE, now=None)
        assert message.due_at == at(2026, 3, 13, 8, 0)
        assert message.hold_reason == "免打扰时段"
        assert dispatch_due().claimed == 0
    with time_machine.travel(at(2026, 3, 13, 7, 59), tick=False):
        assert dispatch_due().sent == 0
    with time_machine.travel(at(2026, 3, 13, 8, 0), tick=False):
        assert dispatch_due().sent == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at == at(2026, 3, 13, 8, 0)


def test_after_midnight_waits_until_the_same_morning(send):
    with time_machine.travel(at(2026, 3, 13, 0, 30), tick=False):
        message = send(template="case_accepted", params=CASE, now=None)
    assert message.due_at == at(2026, 3, 13, 8, 0)


def test_quiet_hours_hold_on_holidays_too(send):
    # Spring Festival 2026 (15–23 Feb off): quiet hours do not depend on working days.
    with time_machine.travel(at(2026, 2, 17, 23, 0), tick=False):
        message = send(template="pickup_ready", params={**CASE, "place": "出件窗口"}, now=None)
    assert message.due_at == at(2026, 2, 18, 8, 0)
    # 14 Feb 2026 is a working Saturday (调休): same rule.
    with time_machine.travel(at(2026, 2, 14, 21, 0), tick=False):
        message = send(template="pickup_ready", params={**CASE, "place": "出件窗口"}, now=None)
    assert message.due_at == at(2026, 2, 15, 8, 0)


def test_urgent_messages_ignore_quiet_hours(send):
    with time_machine.travel(at(2026, 3, 12, 22, 30), tick=False):
        turn = send(
            template="queue_turn_near",
            params={"number": "A012", "ahead": 2, "category": "综合业务"},
            now=None,
        )
        code = send(now=None)
        flagged = send(template="case_accepted", params=CASE, urgent=True, now=None)
        assert turn.urgent and code.urgent and flagged.urgent
        assert dispatch_due().sent == 3


def test_message_queued_before_quiet_hours_but_dispatched_inside_is_held(send):
    with time_machine.travel(at(2026, 3, 12, 20, 59), tick=False):
        message = send(template="case_accepted", params=CASE, now=None)
        assert message.due_at == at(2026, 3, 12, 20, 59)
    with time_machine.travel(at(2026, 3, 12, 21, 0, 30), tick=False):
        result = dispatch_due()
    assert (result.sent, result.deferred) == (0, 1)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.due_at == at(2026, 3, 13, 8, 0)


def test_configured_quiet_window(send, settings):
    settings.SMS_QUIET_START, settings.SMS_QUIET_END = "12:00", "13:30"
    with time_machine.travel(at(2026, 3, 12, 12, 15), tick=False):
        assert send(template="case_accepted", params=CASE, now=None).due_at == at(
            2026, 3, 12, 13, 30
        )
    with time_machine.travel(at(2026, 3, 12, 22, 15), tick=False):
        message = send(template="case_accepted", params=CASE, now=None)
        assert message.due_at == at(2026, 3, 12, 22, 15)


def test_per_phone_rate_limit_defers_the_excess(send, settings):
    settings.SMS_PER_PHONE_PER_HOUR = 3
    with time_machine.travel(at(2026, 3, 12, 10, 0), tick=False):
        mine = [send(params={"code": str(i), "minutes": 5}, now=None) for i in range(5)]
        other = send(to="13900139000", now=None)
        result = dispatch_due()
    assert result.sent == 4  # 3 to the busy phone, 1 to the other
    assert result.deferred == 2
    held = OutboxMessage.objects.filter(to="13800138000", status="pending")
    assert held.count() == 2
    assert {m.hold_reason for m in held} == {"超过每小时发送上限"}
    assert {m.due_at for m in held} == {at(2026, 3, 12, 11, 0, 1)}
    other.refresh_from_db()
    assert other.status == "sent"
    with time_machine.travel(at(2026, 3, 12, 10, 30), tick=False):
        assert dispatch_due().sent == 0
    with time_machine.travel(at(2026, 3, 12, 11, 0, 1), tick=False):
        assert dispatch_due().sent == 2
    assert SentSms.objects.filter(to="13800138000").count() == 5
    assert all(m.message_id for m in mine)


def test_rate_limit_window_slides(send, settings):
    settings.SMS_PER_PHONE_PER_HOUR = 2
    with time_machine.travel(at(2026, 3, 12, 10, 0), tick=False):
        send(now=None)
        dispatch_due()
    with time_machine.travel(at(2026, 3, 12, 10, 40), tick=False):
        send(now=None)
        send(now=None)
        result = dispatch_due()
    assert (result.sent, result.deferred) == (1, 1)
    held = OutboxMessage.objects.get(status="pending")
    assert held.due_at == at(2026, 3, 12, 11, 0, 1)  # when the 10:00 send leaves the hour
