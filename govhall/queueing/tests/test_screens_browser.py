"""17.9: the board at 1920×1080 with the demo center's 14 windows, its clock in the
center's time zone on a UTC device; staff pages at 390 px with one staff header."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.core.errors import DomainError
from govhall.org.models import Center, User, Window
from govhall.org.testing import log_in_browser
from govhall.queueing import services
from govhall.queueing.models import TicketCategory
from govhall.queueing.tests.conftest import WORKDAY_10

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_center():
    from govhall.queueing import demo

    demo.load(io.StringIO())
    return Center.objects.get(code="HL-239901")


def _calls(center: Center, count: int) -> None:
    """Open `count` windows and call one ticket at each."""
    for window in Window.objects.filter(center=center, is_active=True).order_by("id")[:count]:
        clerk = User.objects.filter(home_window=window).first()
        if clerk is None:
            continue
        try:
            services.window_open(window=window, actor=clerk)
        except DomainError:  # a consultant's desk, not a window clerk's
            continue
        primary = window.skills.get(is_primary=True).category
        services.ticket_issue(center=center, category=primary)
        services.window_call_next(window=window, actor=clerk)
    for category in TicketCategory.objects.filter(center=center)[:4]:
        services.ticket_issue(center=center, category=category)


def test_board_1920_with_14_windows_and_center_clock(
    browser, plain_live_server, demo_center, screenshot
):
    assert Window.objects.filter(center=demo_center, is_active=True).count() == 14
    _calls(demo_center, 14)  # today: the board shows today's calls
    context = browser.new_context(
        locale="zh-CN", timezone_id="UTC", viewport={"width": 1920, "height": 1080}
    )
    board = context.new_page()
    board.goto(f"{plain_live_server.url}/board/{demo_center.code}/")
    board.wait_for_function("document.querySelectorAll('#windows .bw').length === 14")
    board.wait_for_timeout(300)
    screenshot(board, "board-1920x1080-14-windows", full_page=False)
    # The clock shows the center's time (Asia/Shanghai), not the UTC device's.
    shown = board.inner_text("#clock")
    local = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    assert f"{local:%H:}" in shown, shown
    # No window name cut off, every box on screen, the screen used.
    clipped = board.evaluate(
        """() => [...document.querySelectorAll('#windows .bw .wn')]
             .filter(n => n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1)
             .map(n => n.textContent)"""
    )
    assert clipped == []
    boxes = board.evaluate(
        """() => [...document.querySelectorAll('#windows .bw')].map(b => {
             const r = b.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; })"""
    )
    assert all(top >= 0 and bottom <= 1080 and right <= 1920 for top, bottom, _, right in boxes)
    grid = board.evaluate(
        """() => { const l = document.querySelector('.board-latest').getBoundingClientRect();
                   const bs = [...document.querySelectorAll('#windows .bw')]
                     .map(b => b.getBoundingClientRect());
                   return [l.bottom - l.top, Math.max(...bs.map(b => b.bottom)) - l.top]; }"""
    )
    latest_height, used = grid
    assert used >= 0.85 * latest_height, grid
    context.close()


def test_staff_pages_fit_a_phone_with_one_header(
    browser, plain_live_server, demo_center, screenshot
):
    manager = User.objects.get(username="manager1")
    clerk = User.objects.get(username="clerk1")
    guide = User.objects.get(username="guide1")
    base = plain_live_server.url
    pages = [
        (guide, "/guide/", "staff-390-guide"),
        (clerk, "/window/", "staff-390-window"),
        (manager, "/appointments/", "staff-390-appointments"),
        (clerk, "/notifications/calls/", "staff-390-calls"),
    ]
    with time_machine.travel(WORKDAY_10, tick=True):
        for user, path, name in pages:
            context = browser.new_context(
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                viewport={"width": 390, "height": 844},
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
            )
            log_in_browser(user, base, context)
            page = context.new_page()
            page.goto(base + path)
            screenshot(page, name)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
            header = page.locator("header.staff-header")
            assert header.count() == 1, path
            assert header.locator("button", has_text="退出登录").is_visible(), path
            assert header.get_by_text(user.display_name).is_visible(), path
            context.close()
