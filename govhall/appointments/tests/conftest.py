"""Fixtures for appointment tests: a center with a published, bookable item."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from govhall.appointments.models import BookingRule
from govhall.catalog.testing import make_item as make_published_item
from govhall.core.testing import at  # noqa: F401  (the tests import it from here)
from govhall.core.validators import id_card_check_char
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_center, make_department, make_user, make_zone

TZ = ZoneInfo("Asia/Shanghai")


def person_id(n: int) -> str:
    """A valid GB 11643 number, different for each n."""
    first17 = f"2301021990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


def book_person(n: int, *, channel: str = "phone", **kwargs):
    """Book for test person n: phone 1380000nnnn and the ID number person_id(n)."""
    from govhall.appointments import services

    return services.appointment_book(
        phone=f"1380000{n:04d}", id_number=person_id(n), channel=channel, **kwargs
    )


def make_item(center, department, code="SCJG-001", name="个体工商户设立登记", zone=None):
    return make_published_item(
        center,
        department,
        code,
        name,
        appointment_available=True,
        window_kind="general",
        zone=zone,
        materials=[
            {"name": "经营者身份证明", "original_required": True},
            {"name": "经营场所使用证明", "copies": 2},
            {"name": "委托书", "required": False, "notes": "委托他人办理时提供"},
        ],
    )


@pytest.fixture
def center(db):
    return make_center("HL-T01", "青松测试县政务服务中心")


@pytest.fixture
def department(center):
    return make_department(center, "SCJG", "测试县市场监督管理局")


@pytest.fixture
def zone(center):
    return make_zone(center, "A", "一楼A区等候区")


@pytest.fixture
def item(center, department, zone):
    return make_item(center, department, zone=zone)


@pytest.fixture
def rule(center, item):
    return BookingRule.objects.create(center=center, item=item, capacity=3, slot_minutes=30)


@pytest.fixture
def consultant(center):
    return make_user("consult-t", ("consultant", center), display_name="咨询员")


@pytest.fixture
def outbox():
    def messages(template=None):
        qs = OutboxMessage.objects.order_by("id")
        if template:
            qs = qs.filter(template=template)
        return list(qs)

    return messages


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect to HTTPS (DEBUG off); tests talk plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def queue_category(center, item):
    """The queue issues tickets by category; give the test item one."""
    from govhall.queueing.models import TicketCategory

    category = TicketCategory.objects.create(center=center, letter="Y", name="预约业务")
    category.items.add(item)
    return category


def cancel_code(appointment, now=None) -> str:
    """Ask for the SMS code that cancels `appointment` online; the code as sent."""
    from govhall.appointments import services

    services.appointment_cancel_code_request(appointment=appointment, now=now)
    return OutboxMessage.objects.filter(template="verification_code").latest("id").params["code"]
