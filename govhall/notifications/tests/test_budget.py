"""The per-center hourly SMS budget per template (against SMS pumping): the excess waits,
nothing is lost, and the center's managers are alerted."""

import datetime as dt

import pytest
from django.urls import reverse

from govhall.core.models import AuditEntry
from govhall.notifications.budget import HOLD_REASON
from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage, SentSms, SmsBudgetAlert, SmsTemplate
from govhall.org.testing import TEST_PASSWORD, make_center, make_user

from .conftest import MORNING

pytestmark = pytest.mark.django_db

S = OutboxMessage.Status


def _codes(send, center, n, start=0):
    return [
        send(to=f"139{i:08d}", params={"code": f"{i:06d}", "minutes": 5}, center=center)
        for i in range(start, start + n)
    ]


@pytest.fixture
def other(db):
    return make_center("230000-O", "另一个县政务服务中心")


def test_excess_over_the_templates_budget_waits_and_alerts_once(send, center, other):
    SmsTemplate.objects.filter(code="verification_code").update(center_hourly_budget=3)
    mine = _codes(send, center, 5)
    theirs = _codes(send, other, 1, start=100)
    result = dispatch_due(MORNING)
    assert (result.sent, result.deferred) == (4, 2)
    held = OutboxMessage.objects.filter(status=S.PENDING).order_by("id")
    assert [m.pk for m in held] == [m.pk for m in mine[3:]]
    assert {(m.hold_reason, m.due_at) for m in held} == {
        (HOLD_REASON, MORNING + dt.timedelta(hours=1, seconds=1))
    }
    assert OutboxMessage.objects.get(pk=theirs[0].pk).status == S.SENT  # other center
    [alert] = SmsBudgetAlert.objects.all()
    assert (alert.center, alert.template, alert.budget, alert.held) == (
        center,
        "verification_code",
        3,
        2,
    )
    assert alert.hour == MORNING.replace(minute=0)
    # Nothing lost: once the hour has passed, the two go out.
    assert dispatch_due(MORNING + dt.timedelta(minutes=59)).claimed == 0
    assert dispatch_due(MORNING + dt.timedelta(hours=1, seconds=1)).sent == 2
    assert SentSms.objects.count() == 6
    assert SmsBudgetAlert.objects.count() == 1


def test_the_default_budget_applies_and_zero_switches_it_off(send, center, settings):
    settings.SMS_CENTER_HOURLY_BUDGET = 2
    _codes(send, center, 3)
    assert dispatch_due(MORNING).sent == 2
    SmsTemplate.objects.filter(code="verification_code").update(center_hourly_budget=0)
    assert dispatch_due(MORNING + dt.timedelta(minutes=1)).claimed == 0  # held until later
    OutboxMessage.objects.filter(status=S.PENDING).update(due_at=MORNING)
    assert dispatch_due(MORNING + dt.timedelta(minutes=1)).sent == 1


def test_managers_of_the_center_see_the_alert_and_acknowledge_it(client, send, center, other):
    SmsTemplate.objects.filter(code="verification_code").update(center_hourly_budget=1)
    _codes(send, center, 2)
    dispatch_due(MORNING)
    url = reverse("notifications:calls")
    make_user("mgr", ("manager", center), is_staff=True)
    make_user("clerk", ("clerk", center))
    make_user("mgr2", ("manager", other))
    for username, sees in (("clerk", False), ("mgr2", False), ("mgr", True)):
        client.login(username=username, password=TEST_PASSWORD)
        html = client.get(url).content.decode()
        assert ("短信预算预警" in html) is sees, username
    assert "测试县政务服务中心 的“验证码”短信在 2026-03-12 10 时达到每小时 1 条上限" in html
    alert = SmsBudgetAlert.objects.get()
    root = make_user("root", superuser=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:notifications_smsbudgetalert_changelist"),
        {"action": "acknowledge", "_selected_action": [alert.pk]},
        follow=True,
    )
    assert "已确认 1 条预警" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == root
    assert (
        AuditEntry.objects.filter(action="govhall.notifications.budget_alert.acknowledged").count()
        == 1
    )
    client.login(username="mgr", password=TEST_PASSWORD)
    assert "短信预算预警" not in client.get(url).content.decode()
