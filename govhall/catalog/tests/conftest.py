import io

import pytest

from govhall.core.testing import plain_http_settings


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    plain_http_settings(settings, media_root=tmp_path / "media")


@pytest.fixture
def demo(db):
    from govhall.catalog import demo as catalog_demo
    from govhall.org.models import Center

    catalog_demo.load(io.StringIO())
    return Center.objects.get(code="HL-239901")
