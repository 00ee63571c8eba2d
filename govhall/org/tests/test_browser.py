import pytest

from govhall.core.testing import reload_live_server_middleware
from govhall.org.models import Role
from govhall.org.testing import TEST_PASSWORD, make_center, make_user, make_window

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _plain_http_live_server(request, live_server):
    """The session-wide live server built its middleware with the production settings
    (DEBUG off → redirect to HTTPS, secure cookies); serve plain HTTP for this test."""
    request.addfinalizer(lambda: reload_live_server_middleware(live_server))
    settings = request.getfixturevalue("settings")  # restored before the finalizer above
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    reload_live_server_middleware(live_server)


def _sign_in(page, base, username, password):
    page.goto(f"{base}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_clerk_signs_in_and_sees_workbench(page, live_server, screenshot):
    center = make_center("HL-239901", "青松县政务服务中心")
    window = make_window(center, "1")
    make_user("clerk1", (Role.CLERK, center), display_name="王丽娟", home_window=window)
    page.goto(f"{live_server.url}/staff/login/")
    assert page.locator("h1").inner_text() == "工作人员登录"
    screenshot(page, "org-login")
    _sign_in(page, live_server.url, "clerk1", TEST_PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/")
    assert "您好，王丽娟" in page.locator("h1").inner_text()
    assert "综合窗口人员 · 青松县政务服务中心" in page.content()
    screenshot(page, "org-workbench-clerk")
    page.click("text=退出登录")
    page.wait_for_url(f"{live_server.url}/staff/login/")


def test_manager_workbench(page, live_server, screenshot):
    center = make_center("HL-239901", "青松县政务服务中心")
    make_user("manager1", (Role.MANAGER, center), display_name="林晓峰", is_staff=True)
    _sign_in(page, live_server.url, "manager1", TEST_PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.locator("a.screen", has_text="人员与窗口").count() == 1
    screenshot(page, "org-workbench-manager")


def test_wrong_passwords_and_the_delay_show_one_message(page, live_server, screenshot):
    center = make_center("HL-239901", "青松县政务服务中心")
    make_user("clerk2", (Role.CLERK, center))
    refused = "用户名或密码不正确，或连续输错后须稍候再试。"
    for _ in range(4):
        _sign_in(page, live_server.url, "clerk2", "wrong-password")
        assert page.locator(".login-error").inner_text().strip() == refused
    # In the delay the right password gets the same answer (it names no lock).
    _sign_in(page, live_server.url, "clerk2", TEST_PASSWORD)
    assert page.locator(".login-error").inner_text().strip() == refused
    screenshot(page, "org-login-refused")
