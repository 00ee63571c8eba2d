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
