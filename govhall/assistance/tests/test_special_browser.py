"""Headless Chromium: the extended-hours schedule and the green channel on the portal at
desktop and phone width; the special-services page and the emergency log as staff see
them (entering a log entry through the form). Screenshots in screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.assistance.models import EmergencyContact, GreenChannelItem
from govhall.org.models import ExtendedService
from govhall.org.testing import log_in_browser, make_window

from .special_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def schedule(center, item):
    w1, w2 = make_window(center, "1"), make_window(center, "2")
    lunch = ExtendedService.objects.create(
        center=center,
        kind="lunch",
        days="workdays",
        start=dt.time(12),
        end=dt.time(13, 30),
        note="午休不打烊",
    )
    lunch.windows.add(w1, w2)
    ExtendedService.objects.create(
        center=center,
        kind="weekend",
        days="rest_days",
        weekdays="6",
        start=dt.time(9),
        end=dt.time(12),
        by_appointment=True,
    )
    GreenChannelItem.objects.create(
        center=center, item=item, groups=["elderly", "disabled"], measures="优先受理、上门办理"
    )


def test_portal_shows_extended_hours_desktop_and_phone(
    page,
    phone_page,
    plain_live_server,
    schedule,
    center,
    screenshot,
):
    for pg, name in ((page, "desktop"), (phone_page, "phone")):
        pg.goto(f"{plain_live_server.url}/?center={center.code}")
        text = pg.inner_text("#extended-hours")
        assert "工作日 12:00—13:30 午间不间断服务（1号窗口、2号窗口）：午休不打烊" in text
        assert "星期六 09:00—12:00 周末服务 需提前预约" in text
        assert pg.is_visible("#green-channel")
        box = pg.locator("#extended-hours").bounding_box()
        assert box is not None and box["x"] + box["width"] <= pg.viewport_size["width"] + 1
        screenshot(pg, f"assistance-portal-extended-hours-{name}")


def test_emergency_log_and_special_page(
    browser,
    plain_live_server,
    center,
    guide,
    aed,
    wheelchair,
    schedule,
    screenshot,
):
    EmergencyContact.objects.create(center=center, role="医疗急救", name="县急救中心", phone="120")
    base = plain_live_server.url
    for width, name in ((1280, "desktop"), (390, "phone")):
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": 900}
        )
        log_in_browser(guide, base, context)
        pg = context.new_page()
        pg.goto(f"{base}/assistance/emergency/?center={center.code}")
        if name == "desktop":
            pg.select_option("#incident-form select[name=kind]", "medical")
            pg.fill("#incident-form input[name=occurred_at]", "2026-02-13T09:40")
            pg.fill("#incident-form input[name=place]", "一楼A区等候区")
            pg.fill("#incident-form textarea[name=description]", "一名老年群众等候时头晕跌倒")
            pg.fill("#incident-form input[name=helpers]", "钱导办、保安")
            pg.fill("#incident-form input[name=called]", "120")
            pg.click("#incident-submit")
            pg.wait_for_selector(".messages")
        assert "一名老年群众等候时头晕跌倒" in pg.inner_text("#incidents")
        assert "检查逾期" in pg.inner_text("#equipment-flags")
        screenshot(pg, f"assistance-emergency-log-{name}")
        pg.goto(f"{base}/assistance/special/?center={center.code}")
        assert "轮椅1号" in pg.inner_text("#aids")
        screenshot(pg, f"assistance-special-services-{name}")
        context.close()
