import pytest

from govhall.core import workdays
from govhall.org.testing import log_in_browser, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_index_banner_in_a_browser(live_server, page, screenshot, settings):
    # The live server's middleware was built with the production SECURE_SSL_REDIRECT;
    # tell it, as the TLS-terminating proxy would, that the request came over HTTPS.
    page.context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    missing = workdays.missing_years_ahead()
    admin = make_user("core_browser_admin", superuser=True)
    log_in_browser(admin, live_server.url, page.context)
    page.goto(f"{live_server.url}/admin/")
    screenshot(page, "core-admin-index")
    banner = page.locator("[data-testid=calendar-missing]")
    if missing:
        assert banner.is_visible()
        assert f"工作日历缺少 {missing[0]}" in banner.inner_text()
    else:
        assert banner.count() == 0
    assert page.get_by_text("工作日历年度").first.is_visible()
    page.goto(f"{live_server.url}/admin/core/calendaryear/add/")
    screenshot(page, "core-admin-calendar-year-add")
    assert page.locator("#days-group").is_visible()


@pytest.fixture
def http_live_server(settings, request):
    """The live server over plain HTTP (the queue tests' `plain_live_server`, with the
    settings it needs set before it rebuilds the middleware)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return request.getfixturevalue("plain_live_server")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kiosk_signed_in_as_a_device_is_not_rate_limited(
    browser, page, http_live_server, screenshot, settings, opening_hours
):
    """The hall's kiosks share one public address: signed in at /device/ with the device
    account's token, they issue past the anonymous limit; a plain browser is held to it."""
    from django.core.cache import cache

    from govhall.core.tests.test_api import token_for
    from govhall.queueing.models import Ticket
    from govhall.queueing.tests.conftest import make_queue

    base = http_live_server.url
    q = make_queue("KD-1")
    make_user("kd-kiosk", ("device", q.center), is_device=True, display_name="1号自助取号机")
    key = token_for("kd-kiosk")
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ticket": ("1/600", None)}
    cache.clear()

    page.goto(f"{base}/device/?next=/kiosk/%3Fcenter%3DKD-1")
    screenshot(page, "core-device-sign-in")
    page.fill("input[name=token]", key)
    page.click("form:has(input[name=token]) button")
    page.wait_for_url(f"{base}/kiosk/?center=KD-1")
    for number in ("A001", "A002", "A003"):
        page.goto(f"{base}/kiosk/?center=KD-1")
        page.click("a[data-category=A]")
        page.click("#issue-btn")
        page.wait_for_selector("#slip-number")
        assert page.inner_text("#slip-number") == number
    page.goto(f"{base}/device/")
    assert "本机已登记为设备：1号自助取号机" in page.inner_text("main")
    screenshot(page, "core-device-signed-in")

    anonymous = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    for expected in ("A004", None):
        anonymous.goto(f"{base}/kiosk/?center=KD-1")
        anonymous.click("a[data-category=A]")
        anonymous.click("#issue-btn")
        if expected:
            anonymous.wait_for_selector("#slip-number")
            assert anonymous.inner_text("#slip-number") == expected
    assert "操作过于频繁" in anonymous.inner_text("main")
    screenshot(anonymous, "core-rate-limited-page")
    anonymous.context.close()
    cache.clear()
    assert Ticket.objects.count() == 4
