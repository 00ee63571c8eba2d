"""Headless Chromium: the clerk finishes a ticket on the console → the window's evaluator
device wakes and takes the rating; the phone-size QR page; the rectification screens; the
statistics charts. Screenshots in screenshots/ and /tmp/shots/eval22/."""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from govhall.evaluations import tokens
from govhall.evaluations.models import Rating, Rectification
from govhall.org.testing import log_in_browser, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots/eval22"


@pytest.fixture
def shot(screenshot):
    os.makedirs(SHOTS, exist_ok=True)

    def take(pg, name, full_page=True):
        path = screenshot(pg, f"evaluations-{name}", full_page=full_page)
        shutil.copy(path, os.path.join(SHOTS, f"{name}.png"))

    return take


def staff_context(browser, live_server, user, **kwargs):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs)
    log_in_browser(user, live_server.url, context)
    return context


def test_console_finish_wakes_device_then_phone_and_rectification(
    browser, phone_page, plain_live_server, opening_hours, h, shot
):
    base = plain_live_server.url
    from govhall.queueing import services as queue_services

    make_user("ev-device", ("device", h.center), is_device=True, home_window=h.w1)
    out = StringIO()
    call_command("create_api_token", "ev-device", "--scope", "evaluate", stdout=out)

    # The evaluator device: a small landscape screen, signed in once at /device/.
    device_ctx = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1024, "height": 600}
    )
    device = device_ctx.new_page()
    device.goto(f"{base}/device/?next=/evaluations/device/")
    device.fill("input[name=token]", out.getvalue().strip())
    device.click("form:has(input[name=token]) button")
    device.wait_for_url(f"{base}/evaluations/device/")
    device.wait_for_function("window.__device && window.__device.polls > 0")
    assert device.is_visible("#idle") and not device.is_visible("#rate")
    shot(device, "device-idle", full_page=False)

    # The clerk calls and finishes a ticket on the window console.
    queue_services.ticket_issue(center=h.center, category=h.cats["A"], phone="13800001111")
    console_ctx = staff_context(browser, plain_live_server, h.clerk1)
    console = console_ctx.new_page()
    console.goto(f"{base}/window/")
    console.click("#btn-open")
    console.wait_for_selector("#btn-call")
    console.click("#btn-call")
    console.wait_for_selector("#btn-recall")
    console.keyboard.press("s")
    console.wait_for_selector("#btn-finish")
    console.click("#btn-finish")
    console.wait_for_selector("#btn-call")

    device.wait_for_selector("#rate:not([hidden])", timeout=5000)
    assert device.inner_text("#staff-name") == "王丽娟"
    assert device.inner_text("#ticket-number") == "A001"
    assert "请您对我的服务作出评价" in device.inner_text("#device-phrase")
    shot(device, "device-rate", full_page=False)
    device.click(".level-btn.lv2")
    device.wait_for_selector("#thanks:not([hidden])")
    shot(device, "device-thanks", full_page=False)
    rating = Rating.objects.get(matter_kind="ticket")
    assert (rating.channel, rating.level, rating.staff_id) == ("device", 2, h.clerk1.pk)
    device.wait_for_selector("#idle:not([hidden])", timeout=8000)
    device_ctx.close()
    console_ctx.close()

    # The QR code at window 1, on a phone: a real-name 不满意 with a comment.
    token = tokens.make_token("window", h.w1.pk, now=timezone.now(), days=30)
    phone_page.goto(f"{base}{reverse('evaluations:rate', args=[token])}?c=qr")
    assert "1号窗口" in phone_page.inner_text("#matter-label")
    shot(phone_page, "phone-rate")
    phone_page.click("label.level.lv2")
    phone_page.fill("textarea[name=comment]", "<b>等了四十分钟</b>")
    phone_page.check("input[name=real_name]")
    phone_page.fill("input[name=name]", "张先生")
    phone_page.fill("input[name=phone]", "1391234")
    phone_page.click("#rate-submit")
    assert "11位手机号码" in phone_page.inner_text("#rate-error")
    shot(phone_page, "phone-rate-error")
    phone_page.fill("input[name=phone]", "13912345678")
    phone_page.click("#rate-submit")
    phone_page.wait_for_selector("#thanks")
    assert "回访您" in phone_page.inner_text("#thanks")
    shot(phone_page, "phone-thanks")
    qr_rating = Rating.objects.get(matter_kind="window")
    assert qr_rating.phone == "13912345678" and qr_rating.channel == "qr"

    # The rectification screens (manager): list, then each step of the real-name one.
    ctx = staff_context(
        browser, plain_live_server, h.manager, viewport={"width": 1280, "height": 900}
    )
    page = ctx.new_page()
    page.goto(f"{base}/evaluations/rectifications/")
    assert page.locator("#rect-list tbody tr").count() == 2
    shot(page, "rectification-list")
    rect = Rectification.objects.get(rating=qr_rating)
    page.goto(f"{base}/evaluations/rectifications/{rect.pk}/")
    assert page.inner_text("#source-comment") == "<b>等了四十分钟</b>"
    page.fill("#form-verify textarea[name=note]", "调取录像，等候超时属实")
    page.click("#form-verify button")
    page.fill("#form-rectify textarea[name=measures]", "高峰时段增开2个综合窗口")
    page.fill("#form-rectify input[name=responsible]", "林晓峰")
    page.click("#form-rectify button")
    page.wait_for_selector("#form-callback")
    assert not page.is_visible("#form-close-anon")  # real-name: no closing without a callback
    assert page.inner_text("#callback-phone") == "139****5678"
    page.click("#form-reveal button")
    assert page.inner_text("#callback-phone") == "13912345678"
    from govhall.core.models import AuditEntry

    assert AuditEntry.objects.filter(
        action="govhall.evaluations.rectification.phone_viewed", actor=h.manager
    ).exists()
    shot(page, "rectification-callback")
    page.fill("#form-callback textarea[name=result]", "已电话回访，对整改表示满意")
    page.select_option("#form-callback select[name=satisfaction]", "4")
    page.click("#form-callback button")
    page.click("#form-close button")
    assert page.inner_text("#rect-status") == "已办结"
    shot(page, "rectification-closed")
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.callback_satisfaction == 4
    assert [e.action for e in rect.events.all()] == [
        "opened", "verify", "rectify", "callback", "close",
    ]  # fmt: skip

    # The statistics with their charts, desktop and phone width.
    page.goto(f"{base}/evaluations/?center={h.center.code}")
    assert page.inner_text("#kpi-total") == "2"
    assert page.locator("svg.chart").count() == 7
    shot(page, "stats-desktop")
    ctx.close()
    phone_ctx = staff_context(
        browser, plain_live_server, h.manager,
        viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2,
    )  # fmt: skip
    mobile = phone_ctx.new_page()
    mobile.goto(f"{base}/evaluations/?center={h.center.code}")
    width = mobile.evaluate(
        "document.querySelector('#chart-window svg').getBoundingClientRect().width"
    )
    assert width <= 390
    shot(mobile, "stats-phone")
    mobile.goto(f"{base}/evaluations/rectifications/?status=closed")
    shot(mobile, "rectification-list-phone")
    phone_ctx.close()
