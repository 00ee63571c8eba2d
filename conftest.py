"""Test set-up shared by every app's tests."""

import os
import shutil

import pytest

os.environ.setdefault("GOVHALL_TESTING", "1")
os.environ.setdefault("SMS_BACKEND", "database")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _fresh_workday_index():
    # The working-day index is cached per process; each test starts from its own calendar.
    from govhall.core import workdays

    workdays.invalidate()
    yield
    workdays.invalidate()


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    no_browser = not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM))
    for item in items:
        if "browser" in item.keywords and no_browser:
            item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))
