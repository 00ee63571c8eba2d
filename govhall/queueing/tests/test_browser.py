"""Headless Chromium: kiosk → console → board within a second, with screenshots."""

import time

import pytest

from govhall.core.testing import qr_texts
from govhall.org.testing import log_in_browser
from govhall.queueing.models import Ticket
from govhall.queueing.tests.conftest import make_queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login_context(browser, live_server, user, **kwargs):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs)
    log_in_browser(user, live_server.url, context)
    return context


def test_kiosk_console_board_mobile(
    browser, page, phone_page, plain_live_server, screenshot, opening_hours
):
    live_server = plain_live_server
    q = make_queue("QT-B")
    q.center.public_notice = (
        "办公时间：工作日上午9:00—12:00，下午13:30—17:00。老年人、残疾人请走绿色通道。"
    )
    q.center.save()
    base = live_server.url

    # Board first, in its own page: it must pick the call up by itself.
    board_ctx = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1600, "height": 900}
    )
    board = board_ctx.new_page()
    board.goto(f"{base}/board/{q.center.code}/")
    board.wait_for_function("window.__board && window.__board.polls > 0", timeout=5000)

    # Kiosk: category → (no items configured) confirm → slip.
    page.goto(f"{base}/kiosk/?center={q.center.code}")
    assert page.locator("text=预约签到").is_visible()
    screenshot(page, "queue-kiosk")
    page.click("a[data-category=A]")
    page.locator("label", has_text="老年人").click()
    page.fill("input[name=phone]", "13812345678")
    screenshot(page, "queue-kiosk-confirm")
    page.click("#issue-btn")
    page.wait_for_selector("#slip-number")
    assert page.inner_text("#slip-number") == "A001"
    # The slip's code, scanned from the screen, leads to this ticket's own status page.
    from govhall.queueing.api import status_url

    ticket = Ticket.objects.get()
    assert qr_texts(page.locator(".qr svg").screenshot()) == [status_url(ticket)]
    page.emulate_media(media="print")
    screenshot(page, "queue-slip-print")
    page.emulate_media(media="screen")
    assert ticket.priority_group == "elderly" and ticket.channel == "kiosk"

    # Console: sign in at window 1 and call.
    ctx = login_context(browser, live_server, q.clerk1, viewport={"width": 1280, "height": 900})
    console = ctx.new_page()
    console.goto(f"{base}/window/")
    console.click("#btn-open")
    console.wait_for_selector("#btn-call")
    console.click("#btn-call")
    console.wait_for_selector("#btn-recall")
    called_at = time.monotonic()
    board.wait_for_function("window.__board.lastText === '请A001号到1号窗口办理'", timeout=1000)
    delay = time.monotonic() - called_at
    assert delay <= 1.0, delay
    assert console.inner_text("#current-ticket") == "A001"
    assert "您好，请坐" in console.inner_text("#phrase")
    screenshot(console, "queue-console-called")
    screenshot(board, "queue-board", full_page=False)

    # Keyboard: S starts the service; with someone else waiting, N is 办结并叫下一位 —
    # A001 finished and A002 called in one key press, and the board announces A002.
    from govhall.queueing import services

    services.ticket_issue(center=q.center, category=q.cats["A"])
    console.keyboard.press("s")
    console.wait_for_selector("#btn-finish-call")
    screenshot(console, "queue-console-serving")
    console.keyboard.press("n")
    console.wait_for_function("document.querySelector('#current-ticket').innerText === 'A002'")
    board.wait_for_function("window.__board.lastText === '请A002号到1号窗口办理'", timeout=1500)
    assert "A001 服务结束" in console.inner_text("body")
    assert Ticket.objects.get(number="A001").status == "done"
    # N again with nobody left: A002 is finished, the console says nobody waits and offers
    # 叫下一位 again.
    console.keyboard.press("n")
    console.wait_for_selector("#btn-call")
    assert "A002 服务结束。暂无等候的服务对象。" in console.inner_text("body")
    assert "您的申请已收取" in console.inner_text("#phrase")  # no 即办件 on it: not A.2.5
    screenshot(console, "queue-console-finished")

    # Pausing without a reason: the browser's check speaks Chinese (static/govhall/forms.js).
    console.click("#btn-pause")
    message = console.eval_on_selector("input[name=reason]", "el => el.validationMessage")
    assert message == "请填写暂停原因", message
    screenshot(console, "queue-console-pause-needs-reason")

    # Mobile page from the slip's QR link.
    ticket.refresh_from_db()
    assert ticket.status == "done"
    second = make_second_ticket(q)
    phone_page.goto(f"{base}/t/{second.pk}/?t={second.token}")
    assert phone_page.inner_text("#mt-number") == second.number
    assert "138****5678" in phone_page.content()
    screenshot(phone_page, "queue-mobile")
    # A wrong or expired status link: a Chinese page, not the server's English default.
    response = phone_page.goto(f"{base}/t/{second.pk}/?t=wrong")
    assert response.status == 404
    assert "页面不存在" in phone_page.inner_text("h1")
    screenshot(phone_page, "queue-mobile-not-found")
    ctx.close()
    board_ctx.close()


def make_second_ticket(q):
    from govhall.queueing import services

    services.ticket_issue(center=q.center, category=q.cats["A"])
    return services.ticket_issue(center=q.center, category=q.cats["A"], phone="13812345678")


def test_guide_desk_and_idle_alerts(browser, plain_live_server, screenshot):
    """The guide offers self-service first (6.4.1), then issues for the person; a window
    open with nobody at it while people wait shows on the managers' 空窗 page (5.6.3)."""
    import time_machine

    from govhall.queueing import services
    from govhall.queueing.jobs import detect_idle_windows
    from govhall.queueing.tests.conftest import add_self_service_item, at

    base = plain_live_server.url
    # The server's clock on a working morning (the browser keeps its own).
    with time_machine.travel(at(10, 0), tick=True):
        q = make_queue("QT-G")
        add_self_service_item(q)
        ctx = login_context(
            browser, plain_live_server, q.guide, viewport={"width": 1280, "height": 900}
        )
        guide = ctx.new_page()
        guide.goto(f"{base}/guide/?center={q.center.code}")
        guide.select_option("select[name=item]", "QT-SS-1")
        guide.click("#guide-issue")
        hint = guide.inner_text("#self-service-hint")
        assert "自助服务区" in hint and "可网上办理" in hint
        assert guide.inner_text("#guide-issue") == "仍要取号"
        screenshot(guide, "queue-guide-self-service-hint")
        guide.locator("label", has_text="残疾人").click()
        guide.click("#guide-issue")
        assert guide.inner_text("#issued .console-ticket") == "A001"
        ticket = Ticket.objects.get()
        assert ticket.channel == "guide" and ticket.priority_group == "disabled"
        screenshot(guide, "queue-guide-issued")
        ctx.close()

        services.window_open(window=q.w1, actor=q.clerk1, now=at(10, 0))
    with time_machine.travel(at(10, 12), tick=True):
        assert detect_idle_windows(at(10, 12)) == 1
        ctx = login_context(
            browser, plain_live_server, q.manager, viewport={"width": 1280, "height": 900}
        )
        alerts = ctx.new_page()
        alerts.goto(f"{base}/window/alerts/")
        row = alerts.inner_text("#open-alerts tbody tr")
        assert "1号" in row and q.clerk1.display_name in row and "12 分钟" in row, row
        screenshot(alerts, "queue-idle-alerts")
        ctx.close()
