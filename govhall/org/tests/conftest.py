import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The production hasher costs ~0.5 s a password; these tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests talk plain HTTP to the test client and live server (production redirects).
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def tree(db):
    """Province → city → counties A and B, each county with two departments."""
    from govhall.org.models import Center
    from govhall.org.testing import make_center, make_department

    province = make_center("P", "省中心", level=Center.Level.PROVINCE)
    city = make_center("C", "市中心", level=Center.Level.CITY, parent=province)
    county_a = make_center("A", "甲县中心", parent=city)
    county_b = make_center("B", "乙县中心", parent=city)
    return {
        "province": province,
        "city": city,
        "a": county_a,
        "b": county_b,
        "a_scjg": make_department(county_a, "SCJG", "甲县市场监管局"),
        "a_rsj": make_department(county_a, "RSJ", "甲县人社局"),
        "b_scjg": make_department(county_b, "SCJG", "乙县市场监管局"),
    }
