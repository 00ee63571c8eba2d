import io

import pytest


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    # DEBUG is off under pytest: no https redirect for the test client, and templates must
    # render without a collectstatic manifest.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db):
    from govhall.catalog import demo as catalog_demo
    from govhall.org.models import Center

    catalog_demo.load(io.StringIO())
    return Center.objects.get(code="HL-239901")
