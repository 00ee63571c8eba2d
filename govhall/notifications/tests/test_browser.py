import datetime as dt

import pytest
import time_machine

from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import SmsTemplate
from govhall.org.testing import log_in_browser, make_user

CASE = {
    "name": "张三",
    "item": "食品经营许可",
    "case_no": "SCJG2026000123",
    "link": "https://x/d/ab",
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_call_task_screen(live_server, page, phone_page, screenshot, send, center, settings):
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    send(template="case_correction", to="0451-86221234", params=CASE, center=center)
    send(
        template="appointment_reminder",
        to="",
        params={
            "name": "李四",
            "item": "个体工商户登记",
            "date": "3月13日",
            "time": "09:30",
            "place": "二楼综合窗口",
            "code": "Y0313-07",
        },
        center=center,
    )
    make_user("guide1", ("guide", center), display_name="王引导")
    log_in_browser(make_user("guide1"), live_server.url, page.context, phone_page.context)
    for pg in (page, phone_page):
        # settings.py redirects to HTTPS unless DEBUG; live_server speaks plain HTTP, so
        # tell Django the request came through a TLS proxy (SECURE_PROXY_SSL_HEADER).
        pg.context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    page.goto(f"{live_server.url}/notifications/calls/")
    assert page.locator("h1").inner_text() == "电话通知任务"
    assert page.locator("table.calls-table tbody tr").count() == 2
    # The list shows the number masked (mask_phone keeps 3 + 4 digits); only the task's
    # own page, whose reading is audited, shows it whole.
    phones = page.locator("table.calls-table tbody tr td:nth-child(4)").all_inner_texts()
    assert sorted(phones) == ["045****1234", "无号码"]
    assert "86221234" not in page.content()
    screenshot(page, "notifications_calls_list")

    page.locator("a.button").first.click()
    assert "话术（请朗读）" in page.content()
    assert "0451-86221234" in page.locator(".phone").inner_text()
    screenshot(page, "notifications_call_detail")
    page.get_by_label("已接通告知").check()
    page.fill("textarea[name=note]", "已告知需补正的全部材料")
    page.get_by_role("button", name="记录结果").click()
    assert "已记录通话结果" in page.content()
    assert page.locator("table.calls-table tbody tr").count() == 1

    phone_page.goto(f"{live_server.url}/notifications/calls/")
    screenshot(phone_page, "notifications_calls_phone")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_budget_alert_banner_for_the_manager(
    live_server, page, phone_page, screenshot, send, center, settings
):
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    SmsTemplate.objects.filter(code="verification_code").update(center_hourly_budget=2)
    at = dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for i in range(5):
        send(to=f"139{i:08d}", center=center, now=at)
    with time_machine.travel(at, tick=False):
        assert dispatch_due(at).deferred == 3
    log_in_browser(
        make_user("mgr1", ("manager", center)), live_server.url, page.context, phone_page.context
    )
    for pg in (page, phone_page):
        pg.context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
        pg.goto(f"{live_server.url}/notifications/calls/")
        banner = pg.locator(".budget-alert")
        assert banner.count() == 1
        assert banner.inner_text() == (
            "短信预算预警：测试县政务服务中心 的“验证码”短信在 2026-03-12 10 时"
            "达到每小时 2 条上限，已有 3 条排队等待（不会丢失）。如属异常请排查；"
            "如需调整请在管理后台修改模板预算，并在“短信预算预警”中确认。"
        )
    screenshot(page, "notifications_budget_alert")
    screenshot(phone_page, "notifications_budget_alert_phone")
