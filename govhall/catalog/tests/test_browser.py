import io
import os
import re
import shutil
import subprocess

import pytest

from govhall.core.testing import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_live(live_server, page, phone_page):
    from govhall.catalog import demo

    demo.load(io.StringIO())
    # DEBUG is off under pytest and the live server's SecurityMiddleware was built with
    # SECURE_SSL_REDIRECT on; say the request came through a TLS proxy (SECURE_PROXY_SSL_HEADER).
    for pg in (page, phone_page):
        pg.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    return live_server.url


def test_portal_search_guide_notice_download(page, phone_page, demo_live, screenshot, tmp_path):
    from playwright.sync_api import expect

    page.goto(demo_live + "/")
    expect(page.locator("h1")).to_have_text("青松县政务服务中心")
    screenshot(page, "catalog-home")

    page.fill("input[name=q]", "营业执照")
    page.click("form.search button[type=submit]")
    expect(page.locator(".result-count")).to_contain_text("共找到")
    first = page.locator(".item-name").first
    expect(first).to_have_text("企业设立登记（营业执照）")
    screenshot(page, "catalog-results")

    first.click()
    expect(page.locator("h1.item-title")).to_have_text("企业设立登记（营业执照）")
    expect(page.locator("table.materials")).to_contain_text("公司章程")
    screenshot(page, "catalog-guide")

    with page.expect_download() as info:
        page.click("#notice-pdf")
    pdf_path = tmp_path / "notice.pdf"
    info.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    assert "一次性告知单" in pdf_text(data).replace("\n", "")
    # A picture of the notice to look at, where poppler is installed (CI installs it).
    if shutil.which("pdftoppm"):
        shots = os.path.join(os.path.dirname(screenshot(page, "catalog-guide")), "catalog-notice")
        render = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*render, str(pdf_path), shots], check=True)
        assert os.path.getsize(shots + ".png") > 5000

    # the guide as a citizen sees it on a phone
    phone_page.goto(demo_live + "/items/MZJ-001/")
    expect(phone_page.locator(".warning")).to_contain_text("不在本中心办理")
    screenshot(phone_page, "catalog-guide-phone")
    phone_page.goto(demo_live + "/items/?q=社保")
    expect(phone_page.locator(".item-name").first).to_be_visible()
    screenshot(phone_page, "catalog-results-phone")


def test_touch_mode_browse_and_idle_return(page, demo_live, screenshot):
    from playwright.sync_api import expect

    # The page's timers run on Playwright's clock, moved by the test: no waiting.
    page.clock.install()
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(demo_live + "/touch/?idle=3")
    screenshot(page, "touch-home", full_page=False)
    page.click('a[href^="/touch/d/BDC/"]')
    expect(page).to_have_url(re.compile(r"/touch/d/BDC/\?idle=3$"))
    page.get_by_role("link", name=re.compile("不动产转移登记")).click()
    expect(page.locator("h1")).to_contain_text("不动产转移登记")
    screenshot(page, "touch-guide", full_page=False)
    guide_url = page.url
    # no touch for 3 seconds → back to the kiosk home, not a moment earlier
    page.clock.run_for(2900)
    assert page.url == guide_url
    page.clock.run_for(200)
    expect(page).to_have_url(re.compile(r"/touch/\?idle=3$"))
    expect(page.locator("h1")).to_have_text("请选择办事部门")
    # touching keeps the page: 4 seconds with a touch every second
    page.click('a[href^="/touch/d/YBJ/"]')
    expect(page).to_have_url(re.compile(r"/touch/d/YBJ/"))
    department_url = page.url
    for _ in range(4):
        page.clock.run_for(1000)
        page.mouse.wheel(0, 10)
    assert page.url == department_url
    # and 3 seconds after the last touch it goes home
    page.clock.run_for(3100)
    expect(page).to_have_url(re.compile(r"/touch/\?idle=3$"))


def test_staff_directory_and_home_on_phone(phone_page, demo_live, screenshot):
    from playwright.sync_api import expect

    from govhall.org.models import Center
    from govhall.org.testing import make_user, make_window

    center = Center.objects.get(code="HL-239901")
    window = make_window(center, "1")
    for n, name in enumerate(["王丽", "张建国", "买买提·艾力"], start=1):
        make_user(
            f"clerk-b{n}",
            ("clerk", center),
            display_name=name,
            badge_no=f"QS-00{n}",
            post="综合窗口受理",
            home_window=window,
            phone="13812345678",
        )
    phone_page.goto(demo_live + "/staff-directory/")
    expect(phone_page.locator(".person")).to_have_count(3)
    assert "13812345678" not in phone_page.content()
    screenshot(phone_page, "catalog-staff-phone")
    phone_page.goto(demo_live + "/")
    expect(phone_page.locator("h1")).to_have_text("青松县政务服务中心")
    screenshot(phone_page, "catalog-home-phone")
