import pytest

from govhall.core.testing import plain_http_settings


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    plain_http_settings(settings, media_root=tmp_path / "media")
