"""Fixtures of the special-group and emergency tests (imported by their modules): a center
with a guide, a proxy, a manager and a window clerk, another center's proxy, an item, aids
and equipment."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from govhall.assistance.models import Aid, EmergencyEquipment
from govhall.catalog.testing import make_item
from govhall.core.testing import plain_http_settings
from govhall.org.testing import make_center, make_department, make_user
from govhall.queueing.tests.conftest import plain_live_server  # noqa: F401  (a fixture)

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


# Friday 13 Feb 2026, 10:00 — a working day before the Spring Festival holiday.
NOW = at(2026, 2, 13, 10, 0)


@pytest.fixture
def center(db):
    return make_center("SP-01", "松江测试县政务服务中心", phone="0451-12345678")


@pytest.fixture
def other_center(db):
    return make_center("SP-02", "柳河测试县政务服务中心")


@pytest.fixture
def item(center):
    dept = make_department(center, "RSJ", "人力资源和社会保障局")
    return make_item(center, dept, "RSJ-001", "城乡居民养老保险待遇领取资格认证")


@pytest.fixture
def proxy(center):
    return make_user("sp-proxy", ("proxy", center), display_name="赵帮办", phone="13900000001")


@pytest.fixture
def guide(center):
    return make_user("sp-guide", ("guide", center), display_name="钱导办")


@pytest.fixture
def manager(center):
    return make_user("sp-manager", ("manager", center), display_name="孙主任")


@pytest.fixture
def approver(center):
    dept = make_department(center, "YBJ", "医疗保障局")
    return make_user("sp-approver", ("approver", center, dept), display_name="李审批")


@pytest.fixture
def stranger(other_center):
    return make_user("sp-other", ("proxy", other_center), display_name="外中心")


@pytest.fixture
def wheelchair(center):
    return Aid.objects.create(
        center=center, kind="wheelchair", label="轮椅1号", location="一楼导办台"
    )


@pytest.fixture
def aed(center):
    return EmergencyEquipment.objects.create(
        center=center,
        kind="aed",
        label="AED-1",
        location="一楼大厅东侧",
        check_every_months=1,
        last_checked=dt.date(2025, 12, 20),
        expires_on=dt.date(2026, 6, 30),
    )


def token_client(user) -> Client:
    out = StringIO()
    call_command("create_api_token", user.username, stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    plain_http_settings(settings, media_root=str(tmp_path / "media"))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
