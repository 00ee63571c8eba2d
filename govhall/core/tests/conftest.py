import pytest


@pytest.fixture(autouse=True)
def _test_http_settings(settings):
    # Production redirects to HTTPS; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # Admin pages need static URLs; without `make test`'s GOVHALL_TESTING=1 (the root
    # conftest sets it after settings are loaded) the manifest storage has no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_user():
    from govhall.org.testing import make_user

    return make_user("core_admin", superuser=True)


# The queue tests' live server over plain HTTP, for core's kiosk/device browser test.
from govhall.queueing.tests.conftest import opening_hours, plain_live_server  # noqa: E402, F401
