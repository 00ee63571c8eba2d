import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from govhall.notifications.services import notification_send
from govhall.org.testing import make_center

SH = ZoneInfo("Asia/Shanghai")
# A working Thursday morning, outside quiet hours.
MORNING = dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _database_backend(settings):
    # The root conftest sets SMS_BACKEND=database in the environment, but pytest-django has
    # already imported the settings by then; pin the backend and the rules here.
    settings.SMS_BACKEND = "database"
    settings.SMS_QUIET_START = "21:00"
    settings.SMS_QUIET_END = "08:00"
    settings.SMS_PER_PHONE_PER_HOUR = 10
    settings.SMS_MAX_ATTEMPTS = 8
    # settings.py turns on the HTTPS redirect unless DEBUG (GOVHALL_TESTING does not stop it).
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def center(db):
    return make_center(sms_signature="测试县政务服务中心")


@pytest.fixture
def send(db):
    def _send(template="verification_code", to="13800138000", params=None, **kw):
        params = params if params is not None else {"code": "123456", "minutes": 5}
        kw.setdefault("now", MORNING)
        with transaction.atomic():
            return notification_send(template=template, to=to, params=params, **kw)

    return _send
