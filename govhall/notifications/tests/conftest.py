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
    settings.SMS_CENTER_HOURLY_BUDGET = 0  # off, except where a test sets it
    settings.SMS_CHECK_DELAY_SECONDS = 30
    settings.SMS_CHECK_WINDOW_SECONDS = 600
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


CASE = {
    "name": "张三",
    "item": "食品经营许可",
    "case_no": "SCJG2026000123",
    "link": "https://x/d/ab",
}


def _provider_codes():
    from govhall.notifications.models import SmsTemplate

    SmsTemplate.objects.filter(code="case_accepted").update(
        aliyun_template_code="SMS_465001", tencent_template_id="2001001"
    )


@pytest.fixture
def aliyun(settings, db):
    from .fakes import FakeAliyun

    with FakeAliyun() as fake:  # port 0: the OS picks a free port
        settings.ALIYUN_SMS_ENDPOINT = fake.endpoint
        settings.ALIYUN_SMS_ACCESS_KEY_ID = "test-ak"
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "test-secret"
        settings.SMS_TIMEOUT_SECONDS = 1
        _provider_codes()
        yield fake


@pytest.fixture
def tencent(settings, db):
    from .fakes import FakeTencent

    with FakeTencent() as fake:
        settings.TENCENT_SMS_ENDPOINT = fake.endpoint
        settings.TENCENT_SMS_SECRET_ID = "test-id"
        settings.TENCENT_SMS_SECRET_KEY = "test-key"
        settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
        settings.SMS_TIMEOUT_SECONDS = 1
        _provider_codes()
        yield fake


@pytest.fixture
def message(send, center):
    return send(template="case_accepted", params=CASE, center=center)
