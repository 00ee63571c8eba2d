import re

import pytest
from django.urls import reverse

from govhall.notifications.backends import PermanentFailure
from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import OutboxMessage, SmsTemplate
from govhall.org.testing import make_user

from .conftest import MORNING

pytestmark = pytest.mark.django_db


class Refuses:
    name = "refuses"

    def send(self, message, template):
        raise PermanentFailure("模板未审核通过", code="isv.SMS_TEMPLATE_ILLEGAL")


@pytest.fixture
def admin_client(client):
    make_user("root", superuser=True)
    client.login(username="root", password="Test-Passw0rd!")
    return client


def test_template_change_page_shows_preview_and_length(admin_client):
    template = SmsTemplate.objects.get(code="appointment_confirmed")
    page = admin_client.get(
        reverse("admin:notifications_smstemplate_change", args=[template.pk])
    ).content.decode()
    assert "【××县政务服务中心】〔name〕您好" in page
    assert "单条上限 70 字" in page and "每条 67 字" in page
    # The seeded body: 31 fixed characters + the 11 of 【××县政务服务中心】.
    assert "固定文字 42 字（含签名），约 1 条计费" in page
    # 123 + 11 = 134 characters: two parts of 67; one more character needs three.
    SmsTemplate.objects.filter(pk=template.pk).update(body="{name}" + "办" * 123)
    listing = admin_client.get(reverse("admin:notifications_smstemplate_changelist"))
    assert listing.content.decode().count("固定文字 134 字（含签名），约 2 条计费") == 1
    SmsTemplate.objects.filter(pk=template.pk).update(body="{name}" + "办" * 124)
    listing = admin_client.get(reverse("admin:notifications_smstemplate_changelist"))
    assert listing.content.decode().count("固定文字 135 字（含签名），约 3 条计费") == 1


def test_outbox_resend_action_and_statistics(admin_client, send):
    ok = send()
    dispatch_due(MORNING)
    bad = send(to="13900139000", now=MORNING)
    dispatch_due(MORNING, backend=Refuses())  # fails for good
    bad.refresh_from_db()
    assert bad.status == "failed"
    url = reverse("admin:notifications_outboxmessage_changelist")
    listing = admin_client.get(url + "?status__exact=failed").content.decode()
    assert "模板未审核" in listing and "发送统计" in listing
    response = admin_client.post(
        url, {"action": "resend", "_selected_action": [bad.pk, ok.pk]}, follow=True
    )
    assert "已重新排队 1 条失败消息" in response.content.decode()
    bad.refresh_from_db()
    assert (bad.status, bad.cycle) == ("pending", 2)
    stats_url = reverse("admin:notifications_outboxmessage_stats") + "?days=366"
    stats = admin_client.get(stats_url).content.decode()
    assert "verification_code" in stats and "2026-03-12" in stats


def test_template_form_keeps_the_parameter_contract():
    from govhall.notifications.admin import SmsTemplateForm

    template = SmsTemplate.objects.get(code="case_accepted")
    base = {
        "code": template.code,
        "name": template.name,
        "kind": template.kind,
        "params": '["name", "item", "case_no", "link"]',
        "body": "{name}您好，“{item}”（{case_no}）已受理：{link}",
        "is_active": True,
    }
    assert SmsTemplateForm(base, instance=template).is_valid()
    form = SmsTemplateForm({**base, "body": "{name}您好{surprise}"}, instance=template)
    assert not form.is_valid() and "surprise" in str(form.errors["body"])
    form = SmsTemplateForm({**base, "params": '["name"]'}, instance=template)
    assert not form.is_valid() and "params" in form.errors
    form = SmsTemplateForm({**base, "body": "{name"}, instance=template)
    assert not form.is_valid() and "body" in form.errors


def test_statistics_show_checking_and_duplicates_per_day_and_template(admin_client, send):
    checking = send()
    duplicated = send(to="13900139000")
    send(
        to="13700137000",
        template="queue_turn_near",
        params={"number": "A001", "ahead": 2, "category": "综合"},
    )
    OutboxMessage.objects.filter(pk=checking.pk).update(status="checking", check_since=MORNING)
    OutboxMessage.objects.filter(pk=duplicated.pk).update(
        status="sent", provider_ids=["biz-1", "biz-2", "biz-3"], duplicates=2
    )
    stats_url = reverse("admin:notifications_outboxmessage_stats") + "?days=366"
    page = admin_client.get(stats_url).content.decode()
    row = re.search(r"<tr><td>2026-03-12</td><td>verification_code</td>(.*?)</tr>", page)
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    # 合计, 已发送, 发送失败, 待发送, 核实中, 转电话, 已取消, 已送达, 检出重复
    assert cells == ["2", "1", "0", "0", "1", "0", "0", "0", "2"]
    other = re.search(r"<tr><td>2026-03-12</td><td>queue_turn_near</td>(.*?)</tr>", page)
    assert re.findall(r"<td>(.*?)</td>", other.group(1)) == [
        "1",
        "0",
        "0",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    listing = admin_client.get(
        reverse("admin:notifications_outboxmessage_changelist") + "?status__exact=checking"
    ).content.decode()
    assert "核实中" in listing and "138****8000" in listing and "139****9000" not in listing
