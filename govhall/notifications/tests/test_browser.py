import pytest

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
