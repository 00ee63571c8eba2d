"""Test set-up shared by every app's tests."""

import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("GOVHALL_TESTING", "1")
os.environ.setdefault("SMS_BACKEND", "database")

# Hypothesis's per-example deadline is a wall-clock bound: on a shared 2-core machine a
# loaded moment fails a correct example (DeadlineExceeded). Correctness only, no timing.
hypothesis_settings.register_profile("govhall", deadline=None)
hypothesis_settings.load_profile("govhall")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# In CI (CI=true, as .ci/run is started) a missing browser fails the browser tests instead of
# skipping them: a green run must have driven the kiosk, the board and the phone-width pages.
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium_missing() -> bool:
    return not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM))


# GOVHALL_TEST_CALENDAR_YEARS=2027 (comma-separated) runs the suite as if the chinese-calendar
# package already knew those years (New Year's Day off, nothing else): the table is seeded
# with them, and tests that need "a year the table lacks" must move on by themselves
# (govhall.core.testing.missing_year). It shows the suite has no time bomb at the next
# package release.
def _package_knows_more_years() -> None:
    raw = os.environ.get("GOVHALL_TEST_CALENDAR_YEARS", "")
    years = [int(y) for y in raw.split(",") if y.strip()]
    if not years:
        return
    import datetime as dt

    import chinese_calendar

    for year in years:
        chinese_calendar.holidays[dt.date(year, 1, 1)] = (
            chinese_calendar.Holiday.new_years_day.value
        )


_package_knows_more_years()


@pytest.fixture(autouse=True)
def _fresh_workday_index():
    # The working-day index is cached per process; each test starts from its own calendar.
    from govhall.core import workdays

    workdays.invalidate()
    yield
    workdays.invalidate()


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    from govhall.documents.pdf import installed_font_path

    no_browser = chromium_missing()
    no_font = not installed_font_path()
    for item in items:
        # In CI the `browser` fixture fails the test instead (see IN_CI).
        if "browser" in item.keywords and no_browser and not IN_CI:
            item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))
        if "cjk_font" in item.keywords and no_font:
            item.add_marker(
                pytest.mark.skip(
                    reason="no Chinese TrueType font: install fonts-wqy-zenhei or set PDF_FONT_PATH"
                )
            )
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))


# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = os.path.join(os.path.dirname(__file__), "screenshots")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if chromium_missing():
        pytest.fail(f"CI=true: Chromium not found at {CHROMIUM}; browser tests may not skip in CI")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves screenshots/<name>.png for people to look at."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)

    def take(pg, name: str, full_page: bool = True) -> str:
        path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
        pg.screenshot(path=path, full_page=full_page)
        return path

    return take
