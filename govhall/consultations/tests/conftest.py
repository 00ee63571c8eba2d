"""Fixtures for consultation tests: a center with two departments, a consultant, a clerk, a
manager, approvers, another center's consultant, an item; helpers."""

from __future__ import annotations

import pytest

from govhall.catalog.testing import make_item
from govhall.consultations import services
from govhall.core.testing import at, plain_http_settings  # noqa: F401
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_center, make_department, make_user, make_window


@pytest.fixture
def center(db):
    return make_center("HL-Z01", "青松测试县政务服务中心", short_name="青松县政务")


@pytest.fixture
def other_center(db):
    return make_center("HL-Z02", "白桦测试县政务服务中心", short_name="白桦县政务")


@pytest.fixture
def department(center):
    return make_department(center, "YBJ", "青松县医疗保障局", short_name="青医保")


@pytest.fixture
def other_department(center):
    return make_department(center, "SWJ", "青松县税务局", short_name="青税务")


@pytest.fixture
def item(center, department):
    return make_item(
        center,
        department,
        "YBJ-001",
        "异地就医备案",
        basis="《基本医疗保险跨省异地就医直接结算经办规程》",
        materials=[{"name": "身份证", "position": 1}, {"name": "参保证明", "position": 2}],
    )


@pytest.fixture
def window(center):
    return make_window(center, "12", "consultation")


@pytest.fixture
def consultant(center, window):
    return make_user(
        "consult-t",
        ("consultant", center),
        display_name="孙咨询",
        home_window=window,
        phone="13900001111",
    )


@pytest.fixture
def clerk(center):
    return make_user("clerk-t", ("clerk", center), display_name="王窗口")


@pytest.fixture
def manager(center):
    return make_user(
        "manager-t", ("manager", center), display_name="林主任", phone="13900002222", is_staff=True
    )


@pytest.fixture
def approver(center, department):
    return make_user("approver-ybj", ("approver", center, department), display_name="胡医保")


@pytest.fixture
def other_approver(center, other_department):
    return make_user("approver-swj", ("approver", center, other_department), display_name="梁税务")


@pytest.fixture
def stranger(other_center):
    return make_user("consult-o", ("consultant", other_center), display_name="外中心")


@pytest.fixture
def outbox():
    def messages(template=None):
        qs = OutboxMessage.objects.order_by("id")
        if template:
            qs = qs.filter(template=template)
        return list(qs)

    return messages


def ledgered(center, actor, *, now, phone="13812345678", **extra):
    """A phone question that cannot be answered at once: in the ledger."""
    return services.consultation_record(
        center=center,
        channel=extra.pop("channel", "phone"),
        question=extra.pop("question", "退休人员异地就医备案能否电话办理？"),
        name=extra.pop("name", "刘淑芬"),
        phone=phone,
        actor=actor,
        now=now,
        **extra,
    )


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    plain_http_settings(settings, media_root=str(tmp_path / "media"))
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
